#pragma once
// A real network around one SBC for its tests: the SBC in contoso-hq, a carrier 5 ms away over
// UDP, and three Microsoft datacenters 10, 20 and 40 ms away (one way) behind the FQDNs sip,
// sip2 and sip3.pstnhub.microsoft.com, with real DNS, TCP, TLS and certificates. The carrier and
// the proxies are ScriptedPeers: small SIP user agents on the real transaction layer that answer
// INVITEs by a script and log everything they hear with its instant.
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/dns/dns_resolver.hpp"
#include "models/dns/dns_zone.hpp"
#include "models/sbc/sbc.hpp"
#include "sim/core/simulation.hpp"
#include "sim/net/network.hpp"
#include "sim/net/sip_endpoint.hpp"
#include "sim/sip/dialog/dialog_set.hpp"
#include "sim/sip/dialog/dialog_table.hpp"
#include "sim/sip/parser.hpp"
#include "sim/sip/serializer.hpp"
#include "sim/trace/call_observer.hpp"

// Failure messages show the logs: "{INVITE @1015ms, ACK @3035ms}".
namespace doctest {
template <>
struct StringMaker<std::vector<std::string>> {
  static String convert(const std::vector<std::string>& entries) {
    std::string text = "{";
    for (const std::string& entry : entries) text += (text.size() > 1 ? ", " : "") + entry;
    return String((text + "}").c_str());
  }
};
template <>
struct StringMaker<std::vector<sim::Time>> {
  static String convert(const std::vector<sim::Time>& times) {
    std::string text = "{";
    for (const sim::Time time : times) text += (text.size() > 1 ? ", " : "") + sim::format_duration(time);
    return String((text + "}").c_str());
  }
};
}  // namespace doctest

namespace sbc_test {

using namespace sim::time_literals;

inline net::IpAddress ip(const char* text) { return *net::IpAddress::parse(text); }

inline const net::IpAddress kSbcIp = ip("203.0.113.10");
inline const net::IpAddress kCarrierIp = ip("198.51.100.20");
inline const net::IpAddress kEmeaIp = ip("52.114.76.76");
inline const net::IpAddress kNoamIp = ip("52.114.132.46");
inline const net::IpAddress kAsiaIp = ip("52.114.20.29");
inline const net::SocketAddress kSbcTrunk{kSbcIp, 5060};
inline const net::SocketAddress kSbcTls{kSbcIp, 5061};
inline const net::SocketAddress kCarrierSip{kCarrierIp, 5060};

// One response of a scripted UAS to an INVITE, `after` the INVITE arrived.
struct Step {
  Step(sim::Time after_arrival, int status_code, std::string tag = {}, std::string header = {}, std::string body = {})
      : after(after_arrival), status(status_code), to_tag(std::move(tag)), extra_header(std::move(header)),
        sdp(std::move(body)) {}
  sim::Time after;
  int status;
  std::string to_tag;
  std::string extra_header;  // "Name: value", e.g. "Retry-After: 30"
  std::string sdp;
};

inline std::string at_text(sim::Time at) { return " @" + sim::format_duration(at); }

// A SIP user agent for tests. As a UAS it answers OPTIONS, runs an INVITE script, answers
// CANCEL (200 and 487) and BYE (200); as a UAC it sends an INVITE, ACKs its 2xx, and can
// CANCEL it or hang up. Everything it hears is logged as "INVITE @1015ms" or "180 INVITE @1130ms".
class ScriptedPeer final : public sim::Actor, public sip::SipCore, public net::SipEndpointEvents {
 public:
  ScriptedPeer(sim::ActorContext context, std::string via_sent_by, std::string via_transport, std::string contact)
      : sim::Actor(std::move(context)),
        sent_by_(std::move(via_sent_by)),
        transport_(std::move(via_transport)),
        contact_(std::move(contact)) {}

  void attach(net::UdpTransport& udp, net::TcpTransport& tcp, net::HostId host, sip::TimerValues timers = {}) {
    layer = std::make_unique<sip::TransactionLayer>(simulation(), id(), name(), timers, *this);
    endpoint = std::make_unique<net::SipEndpoint>(udp, tcp, host, *layer, *this);
  }
  void on_receive(const sim::Delivery& delivery) override { endpoint->receive(delivery); }

  // ---- behaviour
  int options_status = 200;                       // 0: never answer
  std::vector<std::vector<Step>> invite_scripts;  // INVITE n follows script n; the last repeats
  bool ack_answers = true;                        // as a UAC

  // ---- what it heard
  std::vector<std::string> heard;
  std::vector<sip::Message> messages;  // in the order of `heard`
  std::vector<std::string> problems;   // connection events and unparsable bytes
  sip::Transport* last_flow = nullptr;

  const sip::Message& message(std::string_view summary_prefix, std::size_t nth = 0) const {
    for (std::size_t index = 0; index < heard.size(); ++index)
      if (heard[index].rfind(summary_prefix, 0) == 0 && nth-- == 0) return messages[index];
    FAIL("no message " << summary_prefix);
    return messages.front();
  }

  // ---- acting as a user agent
  std::string via() { return "SIP/2.0/" + transport_ + " " + sent_by_ + ";branch=" + layer->new_branch(); }

  sip::Message invite(std::string_view request_uri, std::string_view from, std::string_view to, std::string_view sdp) {
    sip::Message invite = sip::Message::request("INVITE", request_uri);
    invite.add_header("Via", via());
    invite.add_header("Max-Forwards", "70");
    invite.add_header("From", std::string(from) + ";tag=" + name() + "-from");
    invite.add_header("To", to);
    invite.add_header("Call-ID", "call-" + std::to_string(++calls_) + "@" + name());
    invite.add_header("CSeq", "1 INVITE");
    invite.add_header("Contact", contact_);
    if (!sdp.empty()) invite.set_body("application/sdp", sdp);
    return invite;
  }

  void send_invite(sip::Message invite, sip::Transport& flow) {
    outgoing_.emplace(dialogs_, invite);
    outgoing_flow_ = &flow;
    layer->send_request(std::move(invite), flow);
  }

  // §9.1 for the INVITE this peer sent.
  void cancel() {
    const sip::Message& invite = outgoing_->invite();
    sip::Message cancel = sip::Message::request("CANCEL", invite.request_uri().text());
    cancel.add_header("Via", invite.top_via().text());
    cancel.add_header("Max-Forwards", "70");
    cancel.add_header("From", *invite.header(sip::HeaderId::From));
    cancel.add_header("To", *invite.header(sip::HeaderId::To));
    cancel.add_header("Call-ID", invite.call_id());
    cancel.add_header("CSeq", "1 CANCEL");
    layer->send_request(std::move(cancel), *outgoing_flow_);
  }

  void hang_up() { send_in_dialog(sip::Method::Bye); }

  // A request inside the last confirmed dialog (a re-INVITE carries no SDP: an offerless refresh).
  void send_in_dialog(sip::Method method) {
    REQUIRE(confirmed_);
    sip::Dialog* dialog = dialogs_.find(*confirmed_);
    REQUIRE(dialog != nullptr);
    sip::Message request = dialog->build_request(method);
    request.prepend_header("Via", via());
    layer->send_request(std::move(request), *confirmed_flow_);
  }

  void at(sim::Time when, std::function<void()> action) {
    simulation().schedule_timer(when, id(), std::move(action)).release();
  }

  std::unique_ptr<sip::TransactionLayer> layer;
  std::unique_ptr<net::SipEndpoint> endpoint;
  std::function<void(const net::ConnectionEvent&)> on_event;

  // ---- sip::SipCore
  void on_request(const sip::TransactionKey& key, const sip::Message& request, sip::Transport& flow) override {
    note(std::string(request.method_text()), request);
    last_flow = &flow;
    switch (request.method()) {
      case sip::Method::Options:
        if (options_status != 0) layer->respond(key, sip::make_response(request, options_status, "", name() + "-options"));
        return;
      case sip::Method::Invite: return run_script(key, request, flow);
      case sip::Method::Cancel: return on_cancel(key, request);
      case sip::Method::Bye:
        if (sip::Dialog* dialog = dialogs_.match_request(request)) dialog->on_request_received(request);
        layer->respond(key, sip::make_response(request, 200, "OK"));
        return;
      default: return;
    }
  }
  void on_response(const sip::TransactionKey&, const sip::Message& response) override {
    note(std::to_string(response.status_code()) + " " + std::string(response.cseq().method), response);
    if (response.cseq().method != "INVITE" || !outgoing_) return;
    const sip::DialogSet::Event event = outgoing_->on_response_received(response);
    if (event.outcome != sip::DialogSet::Outcome::DialogConfirmed || !ack_answers) return;
    sip::Message ack = event.dialog->build_request(sip::Method::Ack);
    ack.prepend_header("Via", via());
    outgoing_flow_->send(ack);
    confirmed_ = event.dialog->id();
    confirmed_flow_ = outgoing_flow_;
  }
  void on_timeout(const sip::TransactionKey& key, sip::TimerName timer) override {
    problems.push_back("timeout " + std::string(1, static_cast<char>(timer)) + " " + key.method + at_text(now()));
  }
  void on_transport_error(const sip::TransactionKey& key) override {
    problems.push_back("transport error " + key.method + at_text(now()));
  }
  void on_ack(const sip::TransactionKey&, const sip::Message& ack) override { note("ACK", ack); }

  // ---- net::SipEndpointEvents
  void on_connection_event(const net::ConnectionEvent& event) override {
    problems.push_back(connection_event_name(event.kind) + at_text(now()));
    if (on_event) on_event(event);
  }
  void on_malformed_message(std::uint64_t, const sip::ParseError& error) override {
    problems.push_back("unparsable " + std::string(sip::parse_error_kind_name(error.kind)) + at_text(now()));
  }

  static std::string connection_event_name(net::ConnectionEventKind kind) {
    switch (kind) {
      case net::ConnectionEventKind::Connected: return "connected";
      case net::ConnectionEventKind::Accepted: return "accepted";
      case net::ConnectionEventKind::Refused: return "refused";
      case net::ConnectionEventKind::TimedOut: return "timed out";
      case net::ConnectionEventKind::Closed: return "closed";
      case net::ConnectionEventKind::Reset: return "reset";
      case net::ConnectionEventKind::TlsEstablished: return "tls established";
      case net::ConnectionEventKind::TlsFailed: return "tls failed";
    }
    return "?";
  }

 private:
  struct Incoming {
    sip::Message invite;
    sip::Transport* flow = nullptr;
    bool final_sent = false;
    std::vector<sim::TimerHandle> steps;
  };

  void note(std::string summary, const sip::Message& message) {
    heard.push_back(summary + at_text(now()));
    messages.push_back(message);
  }

  void run_script(const sip::TransactionKey& key, const sip::Message& invite, sip::Transport& flow) {
    const std::size_t number = invites_received_++;
    Incoming& incoming = incoming_[key];
    incoming.invite = invite;
    incoming.flow = &flow;
    if (invite_scripts.empty()) return;
    const std::vector<Step>& script = invite_scripts[std::min(number, invite_scripts.size() - 1)];
    for (const Step& step : script) {
      incoming.steps.push_back(start_timer(step.after, [this, key, step] { answer(key, step); }));
    }
  }

  void answer(const sip::TransactionKey& key, const Step& step) {
    Incoming& incoming = incoming_.at(key);
    if (incoming.final_sent) return;
    sip::Message response = sip::make_response(incoming.invite, step.status, "", step.to_tag);
    if (step.status < 300) response.add_header("Contact", contact_);
    if (!step.extra_header.empty()) {
      const std::size_t colon = step.extra_header.find(':');
      response.add_header(step.extra_header.substr(0, colon), step.extra_header.substr(colon + 1));
    }
    if (!step.sdp.empty()) response.set_body("application/sdp", step.sdp);
    if (step.status >= 200) incoming.final_sent = true;
    if (step.status >= 200 && step.status < 300) {
      auto dialog = sip::Dialog::create_as_uas(incoming.invite, response);
      REQUIRE(dialog.ok());
      confirmed_ = dialog->id();
      confirmed_flow_ = incoming.flow;
      dialogs_.insert(std::move(dialog).value());
    }
    layer->respond(key, std::move(response));
  }

  void on_cancel(const sip::TransactionKey& key, const sip::Message& cancel) {
    layer->respond(key, sip::make_response(cancel, 200, "OK", name() + "-cancel"));
    const auto invite_key = sip::invite_key_of_cancel(cancel);
    const auto found = invite_key ? incoming_.find(*invite_key) : incoming_.end();
    if (found == incoming_.end() || found->second.final_sent) return;
    found->second.final_sent = true;
    found->second.steps.clear();
    layer->respond(found->first, sip::make_response(found->second.invite, 487, "Request Terminated", name() + "-cancel"));
  }

  std::string sent_by_;
  std::string transport_;
  std::string contact_;
  std::size_t invites_received_ = 0;
  std::uint64_t calls_ = 0;
  std::map<sip::TransactionKey, Incoming> incoming_;
  sip::DialogTable dialogs_;
  std::optional<sip::DialogSet> outgoing_;
  sip::Transport* outgoing_flow_ = nullptr;
  std::optional<sip::DialogId> confirmed_;
  sip::Transport* confirmed_flow_ = nullptr;
};

// Logs what the SBC reports about calls as "joined a b", "datacenter leg dc", "failed over leg @t".
class RecordingObserver final : public trace::CallObserver {
 public:
  std::vector<std::string> reports;
  void call_started(std::string_view, std::uint64_t, trace::CallDirection, std::string_view, std::string_view,
                    sim::Time) override {}
  void legs_joined(std::string_view earlier, std::string_view later) override {
    reports.push_back("joined " + std::string(earlier) + " " + std::string(later));
  }
  void datacenter_used(std::string_view leg, std::string_view datacenter) override {
    reports.push_back("datacenter " + std::string(leg) + " " + std::string(datacenter));
  }
  void failed_over(std::string_view leg, sim::Time at) override {
    reports.push_back("failed over " + std::string(leg) + at_text(at));
  }
  void answered(std::string_view, std::string_view, sim::Time) override {}
  void final_response(std::string_view, int, std::optional<std::uint32_t>, std::string_view, sim::Time) override {}
  void ended(std::string_view, sim::Time) override {}
};

class PacketLog final : public net::PacketObserver {
 public:
  void on_packet(const net::PacketRecord& packet) override { packets.push_back(packet); }
  std::vector<net::PacketRecord> packets;
};

inline net::Topology sbc_topology() {
  auto topology = net::Topology::create(
      {{"contoso-hq"}, {"pstn"}, {"ms-emea"}, {"ms-noam"}, {"ms-asia"}},
      {{"contoso-hq", "pstn", 5_ms, sim::Time::zero(), 0.0},
       {"contoso-hq", "ms-emea", 10_ms, sim::Time::zero(), 0.0},
       {"contoso-hq", "ms-noam", 20_ms, sim::Time::zero(), 0.0},
       {"contoso-hq", "ms-asia", 40_ms, sim::Time::zero(), 0.0}});
  REQUIRE(topology.ok());
  return std::move(topology).value();
}

inline sim::UtcTime utc(const char* text) { return *sim::parse_rfc3339_utc(text); }

struct BedOptions {
  net::TcpSettings tcp;
  bool sip3_in_dns = true;
  sip::TimerValues proxy_timers;
  std::function<void(sbc::SbcSettings&)> adjust;
};

// The SBC, the carrier and the three proxies on one network. The proxies listen TLS on 5061
// and ask for the SBC's certificate, as Microsoft's do.
struct SbcBed {
  explicit SbcBed(BedOptions options = {})
      : sbc(simulation.add_actor<sbc::Sbc>("sbc1", settings(options), &observer)),
        carrier(simulation.add_actor<ScriptedPeer>("carrier1", "198.51.100.20:5060", "UDP", "<sip:198.51.100.20:5060>")),
        emea(add_proxy("proxy-emea", "sip.pstnhub.microsoft.com")),
        noam(add_proxy("proxy-noam", "sip2.pstnhub.microsoft.com")),
        asia(add_proxy("proxy-asia", "sip3.pstnhub.microsoft.com")),
        network(simulation, sbc_topology(), utc("2026-06-01T00:00:00Z")),
        udp(network),
        tcp(network, options.tcp) {
    network.add_observer(packets);
    add_record("sbc1.contoso.com", "203.0.113.10");
    add_record("sip.pstnhub.microsoft.com", "52.114.76.76");
    add_record("sip2.pstnhub.microsoft.com", "52.114.132.46");
    if (options.sip3_in_dns) add_record("sip3.pstnhub.microsoft.com", "52.114.20.29");
    sbc_host = add_host("sbc1", "contoso-hq", kSbcIp, sbc.id());
    carrier_host = add_host("carrier1", "pstn", kCarrierIp, carrier.id());
    emea_host = add_host("proxy-emea", "ms-emea", kEmeaIp, emea.id());
    noam_host = add_host("proxy-noam", "ms-noam", kNoamIp, noam.id());
    asia_host = add_host("proxy-asia", "ms-asia", kAsiaIp, asia.id());
    resolver = std::make_unique<dns::DnsResolver>(simulation, sbc.id(), zone);
    sbc.attach(udp, tcp, sbc_host, *resolver);
    carrier.attach(udp, tcp, carrier_host);
    carrier.endpoint->listen_udp(kCarrierSip);
    const net::IpAddress proxy_ips[] = {kEmeaIp, kNoamIp, kAsiaIp};
    ScriptedPeer* proxies[] = {&emea, &noam, &asia};
    const net::HostId proxy_hosts[] = {emea_host, noam_host, asia_host};
    for (int index = 0; index < 3; ++index) {
      proxies[index]->attach(udp, tcp, proxy_hosts[index], options.proxy_timers);
      proxies[index]->endpoint->listen_stream(
          net::SocketAddress{proxy_ips[index], 5061},
          net::TlsServerSettings{&proxy_certificate, true, &microsoft_trust});
    }
  }

  sbc::SbcSettings settings(const BedOptions& options) {
    sbc::SbcSettings settings;
    settings.fqdn = "sbc1.contoso.com";
    settings.ip = kSbcIp;
    settings.certificate = &sbc_certificate;
    settings.trunk = kCarrierSip;
    settings.datacenters = {{kEmeaIp, "emea-ams"}, {kNoamIp, "noam-chi"}, {kAsiaIp, "asia-sg"}};
    if (options.adjust) options.adjust(settings);
    return settings;
  }

  ScriptedPeer& add_proxy(const char* name, const std::string& fqdn) {
    return simulation.add_actor<ScriptedPeer>(name, fqdn + ":5061", "TLS", "<sip:" + fqdn + ":5061;transport=tls>");
  }

  net::HostId add_host(const char* name, const char* site, const net::IpAddress& address, sim::ActorId actor) {
    auto host = network.add_host({name, site, {address}, actor});
    REQUIRE(host.ok());
    return host.value();
  }

  void add_record(const char* name, const char* address) {
    const auto problem = zone.add(dns::DnsRecord{name, dns::RecordType::A, address});
    REQUIRE_FALSE(problem);
  }

  // The proxy opens a TLS connection to the SBC (Microsoft → SBC) and calls `then` once it is up.
  void connect_to_sbc(ScriptedPeer& proxy, std::function<void(net::ConnectionId)> then) {
    proxy.on_event = [&proxy, then](const net::ConnectionEvent& event) {
      if (event.kind != net::ConnectionEventKind::TlsEstablished) return;
      const auto next = then;  // clearing on_event destroys this lambda and its copy of `then`
      proxy.on_event = nullptr;
      next(event.connection);
    };
    const auto connection = proxy.endpoint->connect(
        kSbcTls, {std::nullopt, net::TlsClientSettings{"sbc1.contoso.com", &microsoft_trust, &proxy_certificate}});
    REQUIRE(connection);
  }

  // The carrier places a call to `callee` through the SBC at `when`.
  void carrier_calls(sim::Time when, std::string callee, std::string sdp = std::string(kCarrierSdp)) {
    carrier.at(when, [this, callee, sdp] {
      carrier.send_invite(carrier.invite("sip:" + callee + "@203.0.113.10:5060;user=phone",
                                         "<sip:+12065550100@198.51.100.20;user=phone>",
                                         "<sip:" + callee + "@203.0.113.10;user=phone>", sdp),
                          carrier.endpoint->datagram_flow(kCarrierSip, kSbcTrunk));
    });
  }

  static constexpr std::string_view kCarrierSdp =
      "v=0\r\no=carrier 7 0 IN IP4 198.51.100.20\r\ns=-\r\nc=IN IP4 198.51.100.20\r\nt=0 0\r\n"
      "m=audio 30000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n";

  const std::vector<net::CertificateAuthority> authorities{{std::string(net::kDigiCertGlobalRootG2), true, ""}};
  const net::TrustStore microsoft_trust = net::TrustStore::microsoft(authorities);
  net::Certificate sbc_certificate{"sbc1-cert", "sbc1.contoso.com", {"sbc1.contoso.com"},
                                   std::string(net::kDigiCertGlobalRootG2), utc("2026-01-01T00:00:00Z"),
                                   utc("2027-01-01T00:00:00Z"), {}, true};
  net::Certificate proxy_certificate{"pstnhub-cert", "sip.pstnhub.microsoft.com", {"*.pstnhub.microsoft.com"},
                                     std::string(net::kDigiCertGlobalRootG2), utc("2026-01-01T00:00:00Z"),
                                     utc("2027-01-01T00:00:00Z"), {}, true};
  RecordingObserver observer;
  sim::Simulation simulation{1};
  sbc::Sbc& sbc;
  ScriptedPeer& carrier;
  ScriptedPeer& emea;
  ScriptedPeer& noam;
  ScriptedPeer& asia;
  net::Network network;
  net::UdpTransport udp;
  net::TcpTransport tcp;
  PacketLog packets;
  dns::DnsZone zone;
  std::unique_ptr<dns::DnsResolver> resolver;
  net::HostId sbc_host = 0;
  net::HostId carrier_host = 0;
  net::HostId emea_host = 0;
  net::HostId noam_host = 0;
  net::HostId asia_host = 0;
};

// The messages whose summary starts with `prefix`, e.g. every "INVITE".
inline std::vector<std::string> only(const std::vector<std::string>& heard, std::string_view prefix) {
  std::vector<std::string> kept;
  for (const std::string& entry : heard)
    if (entry.rfind(prefix, 0) == 0) kept.push_back(entry);
  return kept;
}

}  // namespace sbc_test
