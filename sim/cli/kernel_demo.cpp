#include "sim/cli/kernel_demo.hpp"

#include <array>
#include <string>

namespace cli {
namespace {

using namespace sim::time_literals;

constexpr std::array<const char*, 3> kProxyFqdns = {"sip.pstnhub.microsoft.com", "sip2.pstnhub.microsoft.com",
                                                    "sip3.pstnhub.microsoft.com"};

// One-way delay: 12 ms plus up to 1 ms of jitter from the sender's "jitter" stream.
sim::Time link_delay(sim::RandomStream& jitter) { return 12_ms + sim::Time::from_nanoseconds(static_cast<std::int64_t>(jitter.uniform_below(1'000'000))); }

class DemoProxy final : public sim::Actor {
 public:
  DemoProxy(sim::ActorContext context, std::string fqdn)
      : Actor(std::move(context)), fqdn_(std::move(fqdn)), jitter_(random_stream("jitter")) {}

  void on_receive(const sim::Delivery& request) override {
    // Answer 200 with the request's Via, From, To (plus a tag), Call-ID and CSeq (RFC 3261 §8.2.6.2).
    std::string response = "SIP/2.0 200 OK\r\n";
    std::size_t line_start = request.payload.find("\r\n") + 2;
    while (line_start < request.payload.size()) {
      const std::size_t line_end = request.payload.find("\r\n", line_start);
      const std::string line = request.payload.substr(line_start, line_end - line_start);
      if (line.empty()) break;
      if (line.rfind("Via:", 0) == 0 || line.rfind("From:", 0) == 0 || line.rfind("Call-ID:", 0) == 0 || line.rfind("CSeq:", 0) == 0)
        response += line + "\r\n";
      else if (line.rfind("To:", 0) == 0)
        response += line + ";tag=" + name() + "\r\n";
      line_start = line_end + 2;
    }
    response += "Server: drsim-demo\r\nContent-Length: 0\r\n\r\n";
    send(request.source, link_delay(jitter_), std::move(response));
  }

 private:
  std::string fqdn_;
  sim::RandomStream jitter_;
};

class DemoSbc final : public sim::Actor {
 public:
  DemoSbc(sim::ActorContext context, sim::Time interval, std::array<sim::ActorId, 3> proxies, KernelDemoResult& result)
      : Actor(std::move(context)), interval_(interval), proxies_(proxies), result_(result),
        jitter_(random_stream("jitter")), branches_(random_stream("branch")) {}

  void on_start() override { ping_all(); }

  void on_receive(const sim::Delivery& delivery) override {
    if (delivery.payload.rfind("SIP/2.0 200 ", 0) == 0) ++result_.options_answered;
  }

 private:
  void ping_all() {
    for (std::size_t i = 0; i < proxies_.size(); ++i) {
      ++sequence_;
      std::string branch = "z9hG4bK" + std::to_string(branches_.next_u64());
      std::string options = std::string("OPTIONS sip:") + kProxyFqdns[i] + ":5061 SIP/2.0\r\n" +
                            "Via: SIP/2.0/TLS sbc1.contoso.com:5061;branch=" + branch + "\r\n" +
                            "Max-Forwards: 70\r\n" +
                            "From: <sip:sbc1.contoso.com>;tag=" + std::to_string(sequence_) + "\r\n" +
                            "To: <sip:" + kProxyFqdns[i] + ">\r\n" +
                            "Call-ID: options-" + std::to_string(sequence_) + "@sbc1.contoso.com\r\n" +
                            "CSeq: " + std::to_string(sequence_) + " OPTIONS\r\n" +
                            "Contact: <sip:sbc1.contoso.com:5061;transport=tls>\r\n" +
                            "Content-Length: 0\r\n\r\n";
      send(proxies_[i], link_delay(jitter_), std::move(options));
      ++result_.options_sent;
    }
    next_ping_ = start_timer(interval_, [this] { ping_all(); });
  }

  sim::Time interval_;
  std::array<sim::ActorId, 3> proxies_;
  KernelDemoResult& result_;
  sim::RandomStream jitter_;
  sim::RandomStream branches_;
  std::uint64_t sequence_ = 0;
  sim::TimerHandle next_ping_;
};

}  // namespace

void add_kernel_demo(sim::Simulation& simulation, sim::Time options_interval, KernelDemoResult& result) {
  std::array<sim::ActorId, 3> proxies{};
  for (std::size_t i = 0; i < kProxyFqdns.size(); ++i)
    proxies[i] = simulation.add_actor<DemoProxy>(std::string("proxy-") + kProxyFqdns[i], kProxyFqdns[i]).id();
  simulation.add_actor<DemoSbc>("sbc1", options_interval, proxies, result);
}

}  // namespace cli
