// The SBC's set-up, its OPTIONS health checks and the dispatch of what its transaction layer
// hands up; the calls themselves are in sbc_calls.cpp.
#include "models/sbc/sbc.hpp"

#include <utility>

#include "sim/core/check.hpp"
#include "sim/sip/hex_text.hpp"
#include "sim/sip/serializer.hpp"

namespace sbc {

Sbc::Sbc(sim::ActorContext context, SbcSettings settings, trace::CallObserver* observer)
    : sim::Actor(std::move(context)),
      settings_(std::move(settings)),
      texts_(fixed_texts(settings_)),
      sdp_rewriter_(settings_.ip, settings_.trunk_codecs),
      observer_(observer) {}

Sbc::FixedTexts Sbc::fixed_texts(const SbcSettings& settings) {
  FixedTexts texts;
  texts.host = host_text(settings.ip);
  if (settings.trunk) texts.trunk_host = host_text(settings.trunk->ip);
  const std::string tls_sent_by = settings.fqdn + ":" + std::to_string(settings.port);
  texts.microsoft_via = "SIP/2.0/TLS " + tls_sent_by + ";branch=";
  texts.trunk_via = "SIP/2.0/UDP " + texts.host + ":" + std::to_string(kTrunkSipPort) + ";branch=";
  const std::string& contact_fqdn = settings.contact_fqdn.empty() ? settings.fqdn : settings.contact_fqdn;
  texts.microsoft_contact_host = contact_fqdn + ":" + std::to_string(settings.port) + ";transport=tls>";
  texts.trunk_contact_host = texts.host + ":" + std::to_string(kTrunkSipPort) + ">";
  for (const std::string& method : settings.allow) texts.allow.append(texts.allow.empty() ? "" : ", ").append(method);
  return texts;
}

Sbc::~Sbc() = default;

void Sbc::attach(net::UdpTransport& udp, net::TcpTransport& tcp, net::HostId host, dns::DnsResolver& resolver) {
  DRSIM_CHECK(!layer_, "an SBC is attached once");
  DRSIM_CHECK(settings_.certificate != nullptr, "an SBC needs a certificate for its TLS listener");
  // The casts name the private bases here, where they are accessible; make_unique could not.
  layer_ = std::make_unique<sip::TransactionLayer>(simulation(), id(), name(), settings_.timers,
                                                   static_cast<sip::SipCore&>(*this));
  endpoint_ = std::make_unique<net::SipEndpoint>(udp, tcp, host, *layer_, static_cast<net::SipEndpointEvents&>(*this));
  proxies_ = std::make_unique<MicrosoftProxySet>(
      settings_.proxies, resolver, *endpoint_,
      MicrosoftProxySet::TlsIdentity{&settings_.trust_store, settings_.certificate});
  options_outstanding_.assign(proxies_->configured_count(), false);
  trunk_address_ = net::SocketAddress{settings_.ip, kTrunkSipPort};
  endpoint_->listen_udp(trunk_address_);
  endpoint_->listen_stream(
      net::SocketAddress{settings_.ip, settings_.port},
      net::TlsServerSettings{settings_.certificate, settings_.request_microsoft_certificate, &settings_.trust_store});
}

void Sbc::on_start() {
  DRSIM_CHECK(layer_ != nullptr, "an SBC must be attached before the simulation starts");
  send_options_round();
}

void Sbc::on_receive(const sim::Delivery& delivery) { endpoint_->receive(delivery); }

std::optional<ProxyHealth> Sbc::health(std::string_view proxy_fqdn) const {
  if (!proxies_) return std::nullopt;
  const auto proxy = proxies_->find(proxy_fqdn);
  if (!proxy || *proxy >= proxies_->configured_count()) return std::nullopt;
  return proxies_->health(*proxy);
}

bool Sbc::quarantined(std::string_view proxy_fqdn) const {
  const auto proxy = proxies_ ? proxies_->find(proxy_fqdn) : std::nullopt;
  return proxy && proxies_->quarantined(*proxy, now());
}

// ---- OPTIONS (facts §2.1, §3.1)

void Sbc::send_options_round() {
  for (std::size_t proxy = 0; proxy < proxies_->configured_count(); ++proxy) ping(proxy);
  options_timer_ = start_timer(settings_.options_interval, [this] { send_options_round(); });
}

void Sbc::ping(std::size_t proxy) {
  // One OPTIONS at a time per proxy: with Timer F (32 s) longer than a short interval, pings
  // to a silent proxy would otherwise pile up.
  if (options_outstanding_[proxy]) return;
  options_outstanding_[proxy] = true;
  proxies_->with_connection(proxy, [this, proxy](std::optional<net::ConnectionId> connection) {
    if (!connection) {
      options_outstanding_[proxy] = false;
      return proxies_->set_health(proxy, ProxyHealth::Down);
    }
    const sip::TransactionKey key = layer_->send_request(build_options(proxy), microsoft_flow(*connection));
    options_by_key_[key] = proxy;
  });
}

sip::Message Sbc::build_options(std::size_t proxy) {
  // Spec "OPTIONS": no user part anywhere, a TLS Via, and a Contact naming the SBC's FQDN,
  // which Direct Routing requires (facts §3.1) and uses for its own OPTIONS back.
  const std::string target = "sip:" + proxies_->fqdn(proxy) + ":" + std::to_string(kMicrosoftSipPort);
  sip::Message options = sip::Message::request("OPTIONS", target);
  options.add_header("Via", via(true));
  options.add_header("Max-Forwards", "70");
  options.add_header("From", "<sip:" + settings_.fqdn + ":" + std::to_string(settings_.port) + ">;tag=" + new_tag());
  options.add_header("To", "<" + target + ">");
  options.add_header("Call-ID", new_call_id());
  options.add_header("CSeq", "1 OPTIONS");
  options.add_header("Contact", contact(true));
  options.add_header("Allow", allow_value());
  return options;
}

void Sbc::on_options_result(const sip::TransactionKey& key, bool up) {
  const auto found = options_by_key_.find(key);
  if (found == options_by_key_.end()) return;
  const std::size_t proxy = found->second;
  options_by_key_.erase(found);
  options_outstanding_[proxy] = false;
  proxies_->set_health(proxy, up ? ProxyHealth::Up : ProxyHealth::Down);
}

void Sbc::answer_options(const sip::TransactionKey& key, const sip::Message& request,
                         std::optional<net::ConnectionId> microsoft) {
  // facts §2.1 step 5: the SBC answers Microsoft's OPTIONS 200, which makes it Active.
  sip::Message ok = sip::make_response(request, 200, "OK", new_tag());
  ok.add_header("Contact", contact(microsoft.has_value()));
  ok.add_header("Allow", allow_value());
  ok.add_header("Accept", "application/sdp");
  respond(key, std::move(ok), microsoft);
}

// ---- what the transaction layer hands up

void Sbc::on_request(const sip::TransactionKey& key, const sip::Message& request, sip::Transport& flow) {
  // Requests on a TLS connection come from Microsoft; the trunk speaks UDP (wire contract).
  const std::optional<net::ConnectionId> microsoft = endpoint_->connection_of(flow);
  const bool in_dialog = request.to().has_tag();
  switch (request.method()) {
    case sip::Method::Ack: return on_ack_for_answer(request);
    case sip::Method::Cancel: return on_cancel(key, request, microsoft);
    case sip::Method::Bye: return on_bye(key, request, microsoft);
    case sip::Method::Invite:
      if (!in_dialog) return on_new_call(key, request, flow, microsoft);
      break;
    case sip::Method::Options:
      if (!in_dialog) return answer_options(key, request, microsoft);
      break;
    default:
      if (!in_dialog) {
        sip::Message refusal = sip::make_response(request, 405, "Method Not Allowed", new_tag());
        refusal.add_header("Allow", allow_value());  // §21.4.6: a 405 MUST carry Allow
        return respond(key, std::move(refusal), microsoft);
      }
      break;
  }
  on_in_dialog_request(key, request, microsoft);
}

void Sbc::on_response(const sip::TransactionKey& key, const sip::Message& response) {
  const int code = response.status_code();
  if (options_by_key_.contains(key)) {
    if (code >= 200) on_options_result(key, code < 300);
    return;
  }
  if (response.cseq().method != "INVITE") return;  // answers to the SBC's BYE and CANCEL change nothing
  Call* call = call_of_transaction(key);
  if (call == nullptr || call->uac.invite_key != key) return;  // an attempt already left behind
  const sip::DialogSet::Event event = call->uac_dialogs->on_response_received(response);
  if (code < 200) return on_provisional(*call, response);
  if (code < 300) return relay_answer(*call, response, event);
  relay_failure(*call, response);
}

void Sbc::on_timeout(const sip::TransactionKey& key, sip::TimerName timer) {
  static_cast<void>(timer);
  if (options_by_key_.contains(key)) return on_options_result(key, false);
  Call* call = call_of_transaction(key);
  // Timer H on the calling side's INVITE (our failure never ACKed) needs nothing.
  if (call == nullptr || call->uac.invite_key != key) return;
  // §8.1.3.1: Timer B counts as a 408.
  on_uac_attempt_failed(*call, 408, "Request Timeout");
}

void Sbc::on_transport_error(const sip::TransactionKey& key) {
  if (options_by_key_.contains(key)) return on_options_result(key, false);
  Call* call = call_of_transaction(key);
  if (call == nullptr) return;
  if (call->uas.invite_key == key) {
    // The calling side can no longer be answered: it is gone, so the call is.
    if (call->state == CallState::Answered || call->state == CallState::Ended) return;
    cancel_uac_leg(*call);
    return end(*call);
  }
  // §8.1.3.1: a transport error counts as a 503.
  if (call->uac.invite_key == key) on_uac_attempt_failed(*call, 503, "Service Unavailable");
}

void Sbc::on_terminated(const sip::TransactionKey& key) {
  const auto found = call_by_invite_key_.find(key);
  if (found == call_by_invite_key_.end()) return;
  Call* call = find_call(found->second);
  call_by_invite_key_.erase(found);
  if (call == nullptr) return;
  --call->live_invites;
  // §13.2.2.4: early dialogs no 2xx confirmed end with the INVITE transaction.
  if (call->uac.invite_key == key && call->uac_dialogs) call->uac_dialogs->on_invite_transaction_ended();
  forget_if_done(*call);
}

void Sbc::on_ack(const sip::TransactionKey& key, const sip::Message& ack) {
  static_cast<void>(key);
  on_ack_for_answer(ack);
}

void Sbc::on_timer_c(const sip::TransactionKey& key) {
  Call* call = call_of_transaction(key);
  if (call == nullptr || call->uac.invite_key != key || call->state == CallState::Ended) return;
  // §16.8: a branch that rang gets a CANCEL; the calling side hears 408 either way.
  cancel_uac_leg(*call);
  answer_uas_with_failure(*call, 408, "Request Timeout");
}

void Sbc::on_connection_event(const net::ConnectionEvent& event) {
  proxies_->on_connection_event(event);
  if (!net::ends_connection(event.kind)) return;
  // The endpoint failed its own flow; the SBC's flow on the same connection fails with it.
  if (const auto flow = microsoft_flows_.find(event.connection); flow != microsoft_flows_.end()) {
    layer_->flow_failed(*flow->second);
  }
}

// ---- sending

void Sbc::respond(const sip::TransactionKey& key, sip::Message response, std::optional<net::ConnectionId> microsoft) {
  if (microsoft && corruption_ != SipCorruption::None) {
    // The faulty SBC writes bytes the transaction never sees; the transaction may still send
    // its own 100 Trying (§17.2.1) if the connection outlives the 200 ms.
    endpoint_->tcp().send(*microsoft, corrupt_sip(sip::serialize(response), corruption_));
    return;
  }
  layer_->respond(key, std::move(response));
}

sip::Transport& Sbc::microsoft_flow(net::ConnectionId connection) {
  std::unique_ptr<MicrosoftFlow>& flow = microsoft_flows_[connection];
  if (!flow) flow = std::make_unique<MicrosoftFlow>(endpoint_->tcp(), connection, corruption_);
  return *flow;
}

sip::Transport& Sbc::trunk_flow(const net::SocketAddress& peer) {
  return endpoint_->datagram_flow(trunk_address_, peer);
}

void Sbc::drop_proxy_connection(std::size_t proxy) {
  if (const auto connection = proxies_->drop_connection(proxy)) layer_->flow_failed(microsoft_flow(*connection));
}

std::string Sbc::via(bool microsoft) {
  return (microsoft ? texts_.microsoft_via : texts_.trunk_via) + layer_->new_branch();
}

std::string Sbc::contact(bool microsoft, std::string_view user) const {
  const std::string& host = microsoft ? texts_.microsoft_contact_host : texts_.trunk_contact_host;
  std::string value;
  value.reserve(6 + user.size() + host.size());
  value.append("<sip:");
  if (!user.empty()) value.append(user).push_back('@');
  return value.append(host);
}

std::string Sbc::new_call_id() { return std::to_string(++next_call_id_) + "@" + settings_.fqdn; }

std::string Sbc::new_tag() { return sip::lower_hex(++next_tag_, 8); }

std::string Sbc::host_text(const net::IpAddress& address) {
  return address.family() == net::IpFamily::V6 ? "[" + address.text() + "]" : address.text();
}

}  // namespace sbc
