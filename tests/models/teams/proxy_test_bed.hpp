#pragma once
// A Direct Routing deployment for the Microsoft proxy's tests, on a real simulated network:
// SBCs in contoso-hq, the proxy in ms-emea, 10 ms apart one way; the proxy's real DNS
// resolver (20 ms per lookup); real Teams clients for alice's endpoints. Each SBC is a small
// scripted SIP element (FakeSbc) with its own transaction layer and TLS endpoint, so every
// message crosses the wire as bytes.
#include <doctest/doctest.h>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/client/teams_client.hpp"
#include "models/teams/microsoft_proxy.hpp"
#include "sim/core/simulation.hpp"
#include "sim/net/network.hpp"
#include "sim/net/sip_endpoint.hpp"
#include "sim/net/tcp_transport.hpp"
#include "sim/net/udp_transport.hpp"
#include "sim/sip/dialog/dialog.hpp"
#include "sim/sip/message.hpp"
#include "sim/trace/call_observer.hpp"

namespace proxy_test {

using namespace sim::time_literals;

inline sim::UtcTime utc(const char* text) { return sim::parse_rfc3339_utc(text).value(); }
inline net::IpAddress ip(const char* text) { return *net::IpAddress::parse(text); }

inline constexpr const char* kProxyFqdn = "sip.pstnhub.microsoft.com";
inline constexpr const char* kProxyIp = "52.114.76.76";
inline constexpr const char* kAlice = "+14255550100";
inline constexpr const char* kPstnCaller = "+12065550100";

inline net::Certificate certificate(std::string name, std::vector<std::string> hosts,
                                    const char* not_after = "2027-01-01T00:00:00Z",
                                    std::string issuer = "DigiCert Global Root G2") {
  return {
      std::move(name), hosts.front(), hosts, std::move(issuer), utc("2026-01-01T00:00:00Z"), utc(not_after), {}, true};
}

// What an SBC hears and sends, scripted per test. Requests it receives are recorded; INVITEs are
// answered with `answers` (code after a delay), or with `raw_answer` bytes written straight on
// the connection (for answers the serializer could never produce).
class FakeSbc final : public sim::Actor, public sip::SipCore, public net::SipEndpointEvents {
 public:
  struct Seen {
    sim::Time at;
    sip::Message message;
  };
  struct Answer {
    sim::Time after;
    int code = 0;
  };

  FakeSbc(sim::ActorContext context, std::string own_fqdn, net::Certificate own_certificate,
          const net::TrustStore& trust)
      : sim::Actor(std::move(context)),
        fqdn(std::move(own_fqdn)),
        certificate(std::move(own_certificate)),
        trust_(trust) {}

  void attach(net::UdpTransport& udp, net::TcpTransport& tcp, net::HostId host, const net::IpAddress& address) {
    layer = std::make_unique<sip::TransactionLayer>(simulation(), id(), name(), sip::TimerValues{}, *this);
    endpoint = std::make_unique<net::SipEndpoint>(udp, tcp, host, *layer, *this);
    endpoint->listen_stream({address, 5061}, net::TlsServerSettings{&certificate, false, nullptr});
  }
  void on_receive(const sim::Delivery& delivery) override { endpoint->receive(delivery); }

  // Opens TLS to the proxy as Direct Routing SBCs do and runs `then` once it is up.
  void connect_to_proxy(std::function<void(sip::Transport&)> then) {
    net::ConnectOptions options;
    options.tls = net::TlsClientSettings{kProxyFqdn, &trust_, &certificate};
    on_established_ = std::move(then);
    own_connection_ = endpoint->connect({ip(kProxyIp), 5061}, std::move(options));
  }

  // An INVITE as the SBC sends it toward Microsoft (wire contract of models-common).
  sip::Message inbound_invite(std::string_view called, std::string_view contact_host, std::string_view call_id) {
    sip::Message invite =
        sip::Message::request("INVITE", "sip:" + std::string(called) + "@" + kProxyFqdn + ":5061;user=phone");
    invite.add_header("Via", "SIP/2.0/TLS " + fqdn + ":5061;branch=" + layer->new_branch());
    invite.add_header("Max-Forwards", "70");
    invite.add_header("From", "<sip:" + std::string(kPstnCaller) + "@" + fqdn + ";user=phone>;tag=c1");
    invite.add_header("To", "<sip:" + std::string(called) + "@" + kProxyFqdn + ";user=phone>");
    invite.add_header("Call-ID", call_id);
    invite.add_header("CSeq", "1 INVITE");
    invite.add_header("Contact",
                      "<sip:" + std::string(kPstnCaller) + "@" + std::string(contact_host) + ":5061;transport=tls>");
    invite.set_body("application/sdp", sdp());
    return invite;
  }
  sip::Message options_request(std::string_view contact_host) {
    sip::Message options = sip::Message::request("OPTIONS", std::string("sip:") + kProxyFqdn + ":5061");
    options.add_header("Via", "SIP/2.0/TLS " + fqdn + ":5061;branch=" + layer->new_branch());
    options.add_header("Max-Forwards", "70");
    options.add_header("From", "<sip:" + fqdn + ":5061>;tag=o" + std::to_string(++options_sent_));
    options.add_header("To", std::string("<sip:") + kProxyFqdn + ":5061>");
    options.add_header("Call-ID", "options-" + std::to_string(options_sent_) + "@" + fqdn);
    options.add_header("CSeq", "1 OPTIONS");
    options.add_header("Contact", "<sip:" + std::string(contact_host) + ":5061;transport=tls>");
    return options;
  }
  void send_request(sip::Message request, sip::Transport& flow) {
    if (request.method() == sip::Method::Invite) sent_invite_ = request;
    layer->send_request(std::move(request), flow);
  }
  // A request inside the call's dialog (the proxy's 200 to our INVITE, or ours to its), on `flow`.
  void send_in_dialog(sip::Method method, sip::Transport& flow, std::string_view sdp_body = {}) {
    sip::Message request = dialog_->build_request(method);
    request.prepend_header("Via", "SIP/2.0/TLS " + fqdn + ":5061;branch=" + layer->new_branch());
    if (!sdp_body.empty()) request.set_body("application/sdp", sdp_body);
    layer->send_request(std::move(request), flow);
  }
  void send_cancel(sip::Transport& flow) {
    sip::Message cancel = sip::Message::request("CANCEL", sent_invite_.request_uri().text());
    cancel.add_header("Via", sent_invite_.top_via().text());
    cancel.add_header("Max-Forwards", "70");
    cancel.add_header("From", *sent_invite_.header("From"));
    cancel.add_header("To", *sent_invite_.header("To"));
    cancel.add_header("Call-ID", sent_invite_.call_id());
    cancel.add_header("CSeq", "1 CANCEL");
    layer->send_request(std::move(cancel), flow);
  }

  // ---- SipCore
  void on_request(const sip::TransactionKey& key, const sip::Message& request, sip::Transport& flow) override {
    requests.push_back({now(), request});
    switch (request.method()) {
      case sip::Method::Invite:
        return answer_invite(key, request, flow);
      case sip::Method::Cancel: {
        layer->respond(key, sip::make_response(request, 200, "OK"));
        const auto invite_key = sip::invite_key_of_cancel(request);
        if (invite_key) layer->respond(*invite_key, sip::make_response(request, 487, "Request Terminated", "sbc-tag"));
        return;
      }
      case sip::Method::Ack:
        return;
      default:
        layer->respond(key, sip::make_response(request, 200, "OK", "sbc-tag"));
    }
  }
  void on_response(const sip::TransactionKey& key, const sip::Message& response) override {
    responses.push_back({now(), response});
    if (key.method != "INVITE" || response.status_code() / 100 != 2 || !acknowledge) return;
    // §13.2.2.4: the UAC acknowledges the 2xx itself, inside the dialog it creates (or, for a
    // re-INVITE, the one it is in).
    if (dialog_) {
      dialog_->on_response_received(response);
    } else {
      auto dialog = sip::Dialog::create_as_uac(sent_invite_, response);
      REQUIRE(dialog.ok());
      dialog_.emplace(std::move(dialog).value());
    }
    sip::Message ack = dialog_->build_request(sip::Method::Ack);
    ack.prepend_header("Via", "SIP/2.0/TLS " + fqdn + ":5061;branch=" + layer->new_branch());
    endpoint->stream_flow(*own_connection_).send(ack);
  }
  void on_timeout(const sip::TransactionKey&, sip::TimerName) override { notes.push_back("timeout"); }
  void on_transport_error(const sip::TransactionKey&) override { notes.push_back("transport error"); }

  // ---- SipEndpointEvents
  void on_connection_event(const net::ConnectionEvent& event) override {
    connection_events.push_back(event);
    if (event.connection != own_connection_ || event.kind != net::ConnectionEventKind::TlsEstablished) return;
    to_proxy = &endpoint->stream_flow(event.connection);
    if (on_established_) on_established_(*to_proxy);
  }

  std::vector<const Seen*> requests_named(sip::Method method) const {
    std::vector<const Seen*> out;
    for (const Seen& seen : requests)
      if (seen.message.method() == method) out.push_back(&seen);
    return out;
  }
  static std::string sdp() {
    return "v=0\r\no=- 1 1 IN IP4 203.0.113.10\r\ns=-\r\nc=IN IP4 203.0.113.10\r\nt=0 0\r\n"
           "m=audio 40000 RTP/SAVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=sendrecv\r\n";
  }

  std::string fqdn;
  net::Certificate certificate;
  std::vector<Answer> answers;  // for INVITEs from Microsoft
  std::string raw_answer;       // instead of `answers`: bytes written on the connection
  bool acknowledge = true;
  std::string answer_contact_host;     // the host of its answers' Contact; empty: its FQDN
  sip::Transport* to_proxy = nullptr;  // the SBC's own TLS connection to the proxy, once up
  std::unique_ptr<sip::TransactionLayer> layer;
  std::unique_ptr<net::SipEndpoint> endpoint;
  std::vector<Seen> requests;
  std::vector<Seen> responses;
  std::vector<net::ConnectionEvent> connection_events;
  std::vector<std::string> notes;

 private:
  void answer_invite(const sip::TransactionKey& key, const sip::Message& invite, sip::Transport& flow) {
    if (!raw_answer.empty()) {
      endpoint->tcp().send(*endpoint->connection_of(flow), raw_answer);
      return;
    }
    for (const Answer& answer : answers) {
      timers_.push_back(start_timer(answer.after, [this, key, invite, code = answer.code] {
        sip::Message response =
            sip::make_response(invite, code, sip::default_reason_phrase(code), code == 100 ? "" : "sbc-tag");
        const std::string& contact_host = answer_contact_host.empty() ? fqdn : answer_contact_host;
        if (code > 100 && code < 300) response.add_header("Contact", "<sip:" + contact_host + ":5061;transport=tls>");
        if (code == 200) {
          response.set_body("application/sdp", sdp());
          auto dialog = sip::Dialog::create_as_uas(invite, response);
          REQUIRE(dialog.ok());
          dialog_.emplace(std::move(dialog).value());
        }
        layer->respond(key, std::move(response));
      }));
    }
  }

  const net::TrustStore& trust_;
  std::optional<net::ConnectionId> own_connection_;
  std::function<void(sip::Transport&)> on_established_;
  sip::Message sent_invite_;
  std::optional<sip::Dialog> dialog_;
  std::deque<sim::TimerHandle> timers_;
  std::uint32_t options_sent_ = 0;
};

// Writes every report as one line, so tests compare whole call histories.
class RecordingObserver final : public trace::CallObserver {
 public:
  void call_started(std::string_view, std::uint64_t, trace::CallDirection, std::string_view, std::string_view,
                    sim::Time) override {}
  void legs_joined(std::string_view earlier, std::string_view later) override {
    lines.push_back("joined " + std::string(earlier) + " " + std::string(later));
  }
  void datacenter_used(std::string_view leg, std::string_view datacenter) override {
    lines.push_back("datacenter " + std::string(leg) + " " + std::string(datacenter));
  }
  void failed_over(std::string_view leg, sim::Time at) override {
    lines.push_back("failed over " + std::string(leg) + " @" + sim::format_duration(at));
  }
  void answered(std::string_view leg, std::string_view answered_by, sim::Time at) override {
    lines.push_back("answered " + std::string(leg) + " by " + std::string(answered_by) + " @" +
                    sim::format_duration(at));
  }
  void final_response(std::string_view leg, int sip_code, std::optional<std::uint32_t> ms_code, std::string_view phrase,
                      sim::Time at) override {
    lines.push_back("final " + std::string(leg) + " " + std::to_string(sip_code) + " " +
                    (ms_code ? std::to_string(*ms_code) : std::string("-")) + " " + std::string(phrase) + " @" +
                    sim::format_duration(at));
  }
  void ended(std::string_view leg, sim::Time at) override {
    lines.push_back("ended " + std::string(leg) + " @" + sim::format_duration(at));
  }
  bool wants_client_legs() const override { return client_legs_wanted; }
  std::vector<std::string> lines;
  bool client_legs_wanted = true;
};

class RecordingListener final : public client::OutboundCallListener {
 public:
  void on_outbound_progress(std::uint64_t, sim::Time at) override {
    events.push_back("progress @" + sim::format_duration(at));
  }
  void on_outbound_answered(std::uint64_t, sim::Time at) override {
    events.push_back("answered @" + sim::format_duration(at));
  }
  void on_outbound_failed(std::uint64_t, sim::Time at, const client::ClientSignal& signal) override {
    events.push_back("failed @" + sim::format_duration(at));
    failure = signal;
  }
  void on_outbound_ended(std::uint64_t, sim::Time at) override {
    events.push_back("ended @" + sim::format_duration(at));
  }
  std::vector<std::string> events;
  std::optional<client::ClientSignal> failure;
};

struct SbcSpec {
  std::string name;
  std::string fqdn;
  const char* ip;
  net::Certificate certificate;
  bool media_bypass = false;
};

// The deployment: tenant contoso (contoso.com) with alice (+14255550100) on three endpoints,
// SBCs per `sbcs` (all paired with contoso, in its voice route in that order).
struct ProxyBed {
  explicit ProxyBed(std::vector<SbcSpec> sbcs = {{"sbc1", "sbc1.contoso.com", "203.0.113.10",
                                                  certificate("sbc1-cert", {"sbc1.contoso.com"})}})
      : network(simulation, topology(), utc("2026-06-01T00:00:00Z")),
        udp(network),
        tcp(network),
        specs(std::move(sbcs)) {
    const std::size_t contoso = tenants.add_tenant("contoso", {"contoso.com"});
    alice = tenants.add_user(contoso, teams::TeamsUser{"alice", kAlice, {}});
    add_client("alice/desktop", teams::EndpointKind::Desktop,
               {.ring_after = 300_ms, .answer_after = 8_s, .media_answer = true, .signalling_latency = 40_ms},
               "10.1.0.5");
    add_client("alice/mobile", teams::EndpointKind::Mobile,
               {.ring_after = 900_ms, .answer_after = 5_s, .media_answer = true, .signalling_latency = 120_ms},
               "10.1.0.6");
    add_client(
        "alice/web", teams::EndpointKind::Web,
        {.ring_after = 1500_ms, .answer_after = std::nullopt, .media_answer = false, .signalling_latency = 60_ms},
        "10.1.0.7");
    settings.datacenter = "emea-ams";
    settings.ip = ip(kProxyIp);
    settings.fqdns = {kProxyFqdn, "sip2.pstnhub.microsoft.com"};
    settings.certificate = &proxy_certificate;
    settings.trust_store = &microsoft_trust;
    settings.tenants = &tenants;
    settings.dns_zone = &zone;
    teams::VoiceRoute route{contoso, {}};
    for (const SbcSpec& spec : specs) {
      settings.sbcs.push_back(teams::KnownSbc{spec.name, spec.fqdn, 5061, contoso, spec.media_bypass});
      route.sbcs.push_back(spec.name);
      REQUIRE_FALSE(zone.add({spec.fqdn, dns::RecordType::A, spec.ip}).has_value());
    }
    settings.voice_routes = {route};
  }

  // Creates the proxy and the SBCs with `settings` as the test left them.
  void start() {
    proxy = &simulation.add_actor<teams::MicrosoftProxy>("emea-ams", settings, &observer);
    const net::HostId proxy_host = add_host("emea-ams", "ms-emea", kProxyIp, proxy->id());
    proxy->attach(udp, tcp, proxy_host);
    for (const SbcSpec& spec : specs) {
      FakeSbc& sbc = simulation.add_actor<FakeSbc>(spec.name, spec.fqdn, spec.certificate, sbc_trust);
      sbc_hosts.push_back(add_host(spec.name.c_str(), "contoso-hq", spec.ip, sbc.id()));
      sbc.attach(udp, tcp, sbc_hosts.back(), ip(spec.ip));
      sbcs_.push_back(&sbc);
    }
  }

  FakeSbc& sbc(std::size_t index = 0) { return *sbcs_.at(index); }
  client::TeamsClient& client(std::size_t index) { return *clients.at(index); }
  // Runs `action` at `at` (simulated time) as the SBC.
  void at(sim::Time when, std::size_t sbc_index, std::function<void()> action) {
    simulation.schedule_timer(when, sbcs_.at(sbc_index)->id(), std::move(action)).release();
  }

  static net::Topology topology() {
    auto created = net::Topology::create({{"contoso-hq"}, {"ms-emea"}}, {{"contoso-hq", "ms-emea", 10_ms, 0_ms, 0.0}});
    REQUIRE(created.ok());
    return std::move(created).value();
  }
  net::HostId add_host(const char* name, const char* site, const char* address, sim::ActorId actor) {
    auto host = network.add_host({name, site, {ip(address)}, actor});
    REQUIRE(host.ok());
    return host.value();
  }
  void add_client(const char* name, teams::EndpointKind kind, client::ClientBehaviour behaviour, const char* address) {
    client::TeamsClient& added = simulation.add_actor<client::TeamsClient>(name, behaviour, address);
    clients.push_back(&added);
    settings.endpoints.push_back(teams::TeamsEndpoint{added.id(), alice, kind});
  }

  sim::Simulation simulation{7};
  std::vector<net::CertificateAuthority> authorities{{"DigiCert Global Root G2", true, ""},
                                                     {"Contoso Private CA", false, ""}};
  net::TrustStore microsoft_trust = net::TrustStore::microsoft(authorities);
  net::TrustStore sbc_trust = net::TrustStore::microsoft_roots();
  net::Certificate proxy_certificate =
      certificate("proxy-cert", {kProxyFqdn, "sip2.pstnhub.microsoft.com", "sip3.pstnhub.microsoft.com"});
  dns::DnsZone zone;
  teams::TenantDirectory tenants;
  teams::UserRef alice;
  net::Network network;
  net::UdpTransport udp;
  net::TcpTransport tcp;
  std::vector<SbcSpec> specs;
  std::vector<client::TeamsClient*> clients;
  teams::MicrosoftProxySettings settings;
  RecordingObserver observer;
  teams::MicrosoftProxy* proxy = nullptr;
  std::vector<net::HostId> sbc_hosts;

 private:
  std::vector<FakeSbc*> sbcs_;
};

// The SBC responses' status codes and arrival instants, "180@470ms".
inline std::vector<std::string> arrivals(const std::vector<FakeSbc::Seen>& seen) {
  std::vector<std::string> out;
  for (const FakeSbc::Seen& entry : seen) {
    const std::string what = entry.message.is_request() ? std::string(entry.message.method_text())
                                                        : std::to_string(entry.message.status_code());
    out.push_back(what + "@" + sim::format_duration(entry.at));
  }
  return out;
}

}  // namespace proxy_test
