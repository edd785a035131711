#pragma once
// A two-sided harness for one transaction in virtual time: a fake wire that records every
// message leaving (simulated time and first line of its bytes) and a fake TU that records every
// event it hears. Tests script the other sides with `at(...)` and read both logs.
#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/core/simulation.hpp"
#include "sim/core/time.hpp"
#include "sim/sip/parser.hpp"
#include "sim/sip/serializer.hpp"
#include "sim/sip/transaction/transaction_user.hpp"
#include "sim/sip/transport.hpp"

namespace transaction_harness {

// The element (UA or proxy) whose events the transaction's timers are.
class Element final : public sim::Actor {
 public:
  using sim::Actor::Actor;
};

enum class Wire { Udp, Tcp, Tls };

// Seconds with the fraction the RFC's schedules use: "0s", "0.5s", "1.5s", "31.5s", "0.15s".
inline std::string seconds_text(sim::Time at) {
  const std::int64_t microseconds = at.nanoseconds() / 1000;
  std::string text = std::to_string(microseconds / 1'000'000);
  if (const std::int64_t fraction = microseconds % 1'000'000; fraction != 0) {
    std::string digits = std::to_string(fraction);
    digits.insert(0, 6 - digits.size(), '0');
    digits.erase(digits.find_last_not_of('0') + 1);
    text += '.' + digits;
  }
  return text + 's';
}

inline void append_entry(std::string& log, sim::Time at, std::string_view what) {
  if (!log.empty()) log += ", ";
  log += seconds_text(at);
  log += ' ';
  log += what;
}

struct SentMessage {
  sim::Time at;
  std::string first_line;
  sip::Message message;
};

class RecordingTransport final : public sip::Transport {
 public:
  RecordingTransport(const sim::Simulation& simulation, Wire wire) : simulation_(simulation), wire_(wire) {}

  bool reliable() const override { return wire_ != Wire::Udp; }
  void send(const sip::Message& message) override {
    const std::string bytes = sip::serialize(message);
    sent_.push_back({simulation_.now(), bytes.substr(0, bytes.find("\r\n")), message});
  }

  const std::vector<SentMessage>& sent() const { return sent_; }
  // "0s INVITE, 0.5s INVITE, 2s ACK" or "0.2s 100 Trying": a request by its method, a
  // response by its status code and reason phrase.
  std::string log() const {
    std::string log;
    for (const SentMessage& sent : sent_) {
      const std::string_view line = sent.first_line;
      const bool response = line.starts_with("SIP/2.0 ");
      append_entry(log, sent.at, response ? line.substr(8) : line.substr(0, line.find(' ')));
    }
    return log;
  }

 private:
  const sim::Simulation& simulation_;
  Wire wire_;
  std::vector<SentMessage> sent_;
};

class RecordingUser final : public sip::TransactionUser {
 public:
  explicit RecordingUser(const sim::Simulation& simulation) : simulation_(simulation) {}

  void on_response(const sip::TransactionKey&, const sip::Message& response) override {
    responses.push_back(response);
    note("response " + std::to_string(response.status_code()) + " " + std::string(response.reason_phrase()));
  }
  void on_timeout(const sip::TransactionKey&, sip::TimerName timer) override {
    note(std::string("timeout ") + static_cast<char>(timer));
  }
  void on_transport_error(const sip::TransactionKey&) override { note("transport error"); }
  void on_terminated(const sip::TransactionKey& key) override {
    terminated_key = key;
    note("terminated");
  }
  void on_ack(const sip::TransactionKey&, const sip::Message&) override { note("ACK"); }
  void on_timer_c(const sip::TransactionKey&) override { note("timer C"); }

  const std::string& log() const { return log_; }

  std::vector<sip::Message> responses;
  sip::TransactionKey terminated_key;

 private:
  void note(const std::string& what) { append_entry(log_, simulation_.now(), what); }

  const sim::Simulation& simulation_;
  std::string log_;
};

struct Harness {
  explicit Harness(Wire wire, sip::TimerValues timer_values = {})
      : element(simulation.add_actor<Element>("sbc1")),
        transport(simulation, wire),
        user(simulation),
        timers(timer_values) {}

  sip::TransactionContext context() { return {simulation, element.id(), timers, user}; }
  // Runs `action` at `when` as an event of its own, ordered with the transaction's timers by
  // time and then by scheduling order.
  void at(sim::Time when, std::function<void()> action) {
    scripted.push_back(simulation.schedule_timer(when, element.id(), std::move(action)));
  }
  void run() { simulation.run(); }
  void run_until(sim::Time end) { simulation.run_until(end); }

  sim::Simulation simulation{7};
  Element& element;
  RecordingTransport transport;
  RecordingUser user;
  sip::TimerValues timers;
  std::vector<sim::TimerHandle> scripted;
};

inline sip::Message parse(std::string_view text) {
  auto parsed = sip::parse_message(text);
  if (!parsed.ok()) FAIL(sip::format_parse_error(parsed.error()));
  return std::move(parsed).value();
}

// An SBC's INVITE toward the Microsoft proxy; `transport` goes into the Via.
inline sip::Message invite(std::string_view transport = "UDP",
                           std::string_view branch = "z9hG4bK74bf9") {
  return parse("INVITE sip:+18338006777@sip.pstnhub.microsoft.com SIP/2.0\r\n"
               "Via: SIP/2.0/" + std::string(transport) + " sbc1.contoso.com:5061;branch=" + std::string(branch) + "\r\n"
               "Max-Forwards: 70\r\n"
               "From: <sip:+17168712781@sbc1.contoso.com;user=phone>;tag=9fxced76sl\r\n"
               "To: <sip:+18338006777@sip.pstnhub.microsoft.com;user=phone>\r\n"
               "Call-ID: 3848276298220188511@sbc1.contoso.com\r\n"
               "CSeq: 1 INVITE\r\n"
               "Contact: <sip:+17168712781@sbc1.contoso.com:5061;transport=tls>\r\n"
               "Content-Length: 0\r\n"
               "\r\n");
}

inline sip::Message options(std::string_view transport = "UDP") {
  return parse("OPTIONS sip:sip.pstnhub.microsoft.com:5061 SIP/2.0\r\n"
               "Via: SIP/2.0/" + std::string(transport) + " sbc1.contoso.com:5061;branch=z9hG4bKopt1\r\n"
               "Max-Forwards: 70\r\n"
               "From: <sip:sbc1.contoso.com>;tag=op1\r\n"
               "To: <sip:sip.pstnhub.microsoft.com>\r\n"
               "Call-ID: options-1@sbc1.contoso.com\r\n"
               "CSeq: 7 OPTIONS\r\n"
               "Content-Length: 0\r\n"
               "\r\n");
}

}  // namespace transaction_harness
