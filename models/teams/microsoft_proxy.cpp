// The proxy's wiring, dispatch and what inbound and outbound calls share: OPTIONS, in-dialog
// BYE and re-INVITE, identity checks, tags and Call-IDs. The call flows themselves are in
// microsoft_proxy_inbound.cpp and microsoft_proxy_outbound.cpp.
#include "models/teams/microsoft_proxy.hpp"

#include <algorithm>
#include <charconv>

#include "sim/core/check.hpp"
#include "sim/sip/hex_text.hpp"
#include "sim/sip/sip_text.hpp"

namespace teams {
namespace {

constexpr std::uint16_t kMicrosoftSipPort = 5061;  // facts §1.3: SBC → proxy, always 5061


}  // namespace

MicrosoftProxy::MicrosoftProxy(sim::ActorContext context, MicrosoftProxySettings settings,
                               trace::CallObserver* observer)
    : sim::Actor(std::move(context)),
      settings_(std::move(settings)),
      observer_(observer),
      media_processor_(settings_.media_processor_address.empty() ? settings_.ip.text()
                                                                 : settings_.media_processor_address) {
  DRSIM_CHECK(!settings_.fqdns.empty(), "a Microsoft proxy needs at least one FQDN");
  DRSIM_CHECK(settings_.certificate != nullptr && settings_.trust_store != nullptr,
              "a Microsoft proxy needs its TLS settings");
  DRSIM_CHECK(settings_.tenants != nullptr && settings_.dns_zone != nullptr, "a Microsoft proxy needs tenants and DNS");
  for (std::size_t i = 0; i < settings_.endpoints.size(); ++i) {
    const TeamsEndpoint& endpoint = settings_.endpoints[i];
    if (endpoint_index_.size() <= endpoint.actor) endpoint_index_.resize(endpoint.actor + 1, 0);
    endpoint_index_[endpoint.actor] = i + 1;
    endpoints_of_user_[{endpoint.user.tenant, endpoint.user.user}].push_back(i);
  }
  last_options_from_sbc_.resize(settings_.sbcs.size());
  resolver_ = std::make_unique<dns::DnsResolver>(simulation(), id(), *settings_.dns_zone, settings_.resolver);
}

MicrosoftProxy::~MicrosoftProxy() = default;

void MicrosoftProxy::attach(net::UdpTransport& udp, net::TcpTransport& tcp, net::HostId host) {
  DRSIM_CHECK(!endpoint_, "a Microsoft proxy attached twice");
  layer_ = std::make_unique<sip::TransactionLayer>(simulation(), id(), name(), settings_.timers, *this);
  endpoint_ = std::make_unique<net::SipEndpoint>(udp, tcp, host, *layer_, *this);
  pool_ = std::make_unique<SbcConnectionPool>(
      *endpoint_, *resolver_, SbcConnectionPool::TlsIdentity{settings_.trust_store, settings_.certificate});
  // facts §2.1: mutual TLS; the transport refuses a client whose certificate fails the checks.
  endpoint_->listen_stream(net::SocketAddress{settings_.ip, kMicrosoftSipPort},
                           net::TlsServerSettings{settings_.certificate, true, settings_.trust_store});
}

void MicrosoftProxy::on_start() {
  DRSIM_CHECK(endpoint_ != nullptr, "a Microsoft proxy started before attach()");
  if (settings_.options_interval) send_options_to_sbcs();
}

void MicrosoftProxy::on_receive(const sim::Delivery& delivery) {
  if (endpoint_of(delivery.source) != nullptr) {
    const auto signal = client::decode_signal(delivery.payload);
    DRSIM_CHECK(signal.has_value(), "a Teams endpoint sent the proxy bytes that are not client signalling");
    return on_client_signal(delivery.source, *signal);
  }
  const bool from_other_datacenter = std::any_of(other_datacenters_.begin(), other_datacenters_.end(),
                                                 [&](const OtherDatacenter& other) { return other.proxy == delivery.source; });
  if (from_other_datacenter) {
    const auto message = decode_datacenter_message(delivery.payload);
    DRSIM_CHECK(message.has_value(), "another datacenter sent bytes that are not a datacenter message");
    return on_datacenter_message(*message);
  }
  endpoint_->receive(delivery);
}

void MicrosoftProxy::set_other_datacenters(std::vector<OtherDatacenter> others, const net::Network& network) {
  DRSIM_CHECK(other_datacenters_.empty(), "a Microsoft proxy was given the other datacenters twice");
  other_datacenters_ = std::move(others);
  network_ = &network;
}

void MicrosoftProxy::on_client_signal(sim::ActorId source, const client::ClientSignal& signal) {
  if (signal.kind == client::SignalKind::PlaceCall) return on_place_call(source, signal);
  if (const auto inbound = inbound_by_reference_.find(signal.call); inbound != inbound_by_reference_.end())
    return on_inbound_signal(signal, source, *inbound->second);
  on_outbound_signal(signal, source);
}

// ---- SIP from the network

void MicrosoftProxy::on_request(const sip::TransactionKey& key, const sip::Message& request, sip::Transport& flow) {
  switch (request.method()) {
    case sip::Method::Invite:
      if (request.to().has_tag()) return on_reinvite(key, request);
      return on_inbound_invite(key, request, flow);
    case sip::Method::Ack:
      return on_inbound_ack(request);
    case sip::Method::Options:
      return on_options(key, request, flow);
    case sip::Method::Bye:
      return on_bye(key, request);
    case sip::Method::Cancel:
      return on_inbound_cancel(key, request);
    default: {
      // RFC 3261 §8.2.1: a method the element does not support gets 405 with Allow.
      sip::Message response = sip::make_response(request, 405, "Method Not Allowed", new_tag());
      response.add_header("Allow", kAllow);
      layer_->respond(key, std::move(response));
    }
  }
}

void MicrosoftProxy::on_response(const sip::TransactionKey& key, const sip::Message& response) {
  if (key.method != "INVITE") return;  // OPTIONS, BYE and CANCEL answers change nothing here
  if (OutboundCall* call = find_outbound_by_call_id(response.call_id()); call != nullptr && call->invite_key == key)
    return on_outbound_response(*call, response);
  // §13.2.2.4: a 2xx to an INVITE given up on is still acknowledged, then the dialog is ended.
  const auto abandoned = abandoned_invites_.find(response.call_id());
  if (abandoned == abandoned_invites_.end() || response.status_code() / 100 != 2) return;
  const sip::DialogSet::Event event = abandoned->second->on_response_received(response);
  if (event.dialog == nullptr) return;
  sip::Message ack = event.dialog->build_request(sip::Method::Ack);
  ack.prepend_header("Via", via_value());
  const sip::DialogId dialog = event.dialog->id();
  const sip::Uri hop = event.dialog->next_hop();
  pool_->acquire(hop.host(), hop.port().value_or(kMicrosoftSipPort),
                 [this, ack, dialog](const SbcConnectionPool::Acquired& acquired) {
                   if (acquired.connection) endpoint_->stream_flow(*acquired.connection).send(ack);
                   send_bye(dialog);
                 });
}

void MicrosoftProxy::on_timeout(const sip::TransactionKey& key, sip::TimerName timer) {
  static_cast<void>(timer);
  if (key.side != sip::TransactionSide::Client || key.method != "INVITE") return;
  // Timer B (64*T1) only outlives failover_time when failover_time is set above it; it means
  // the same: the SBC never answered (§8.1.3.1 treats it as a 408).
  for (auto& [outbound_key, call] : outbound_calls_) {
    if (call.invite_key == key && call.state == OutboundCall::State::Inviting) return on_failover_timer(outbound_key);
  }
}

void MicrosoftProxy::on_transport_error(const sip::TransactionKey& key) {
  if (key.method != "INVITE") return;
  if (key.side == sip::TransactionSide::Client) {
    for (auto& [outbound_key, call] : outbound_calls_) {
      if (call.invite_key == key && call.state == OutboundCall::State::Inviting) return on_invite_transport_error(call);
    }
    return;
  }
  // The SBC's connection broke while its call rang: nobody is left to answer.
  const auto found = inbound_by_invite_key_.find(key);
  if (found == inbound_by_invite_key_.end()) return;
  const std::string call_id = found->second;
  InboundCall& call = inbound_calls_.at(call_id);
  if (call.state != InboundCall::State::Ringing) return;
  stop_ringing(call, std::nullopt);
  end_inbound(call_id);
}

void MicrosoftProxy::on_ack(const sip::TransactionKey& key, const sip::Message& ack) {
  static_cast<void>(key);
  on_inbound_ack(ack);
}

void MicrosoftProxy::on_connection_event(const net::ConnectionEvent& event) {
  if (!pool_->on_connection_event(event)) return;  // an SBC's own connection: the transport checked it
  switch (event.kind) {
    case net::ConnectionEventKind::Connected:
    case net::ConnectionEventKind::Accepted:
    case net::ConnectionEventKind::TlsEstablished:
      return;
    default:
      on_pooled_connection_ended(event);
  }
}

void MicrosoftProxy::on_malformed_message(std::uint64_t channel, const sip::ParseError& error) {
  if (!net::is_stream_channel(channel)) return;
  // The endpoint resets the connection next (§18.3: the framing is lost), which this end hears
  // no event for; the INVITE on it hears a transport error and looks here for why.
  malformed_on_connection_[channel] = error.kind;
  pool_->forget(channel);
}

// ---- OPTIONS, BYE, re-INVITE

void MicrosoftProxy::on_options(const sip::TransactionKey& key, const sip::Message& options,
                                const sip::Transport& flow) {
  // facts §2.1: the SBC is recognised by the FQDN in its Contact, which its certificate must name.
  int code = 200;
  std::optional<std::size_t> sbc;
  if (options.contact_count() == 0) {
    code = 400;  // Direct Routing requires Contact in OPTIONS (facts §3.1)
  } else {
    const sip::Uri contact = options.contact(0).uri();
    if (!contact.host_is_ip()) sbc = known_sbc_index_for_fqdn(contact.host());
    if (!sbc || !certificate_names(flow, contact.host())) code = 403;
  }
  sip::Message response = sip::make_response(options, code, sip::default_reason_phrase(code), new_tag());
  if (code == 200) {
    last_options_from_sbc_[*sbc] = now();
    response.add_header("Contact", contact_value(local_fqdn_for(options.request_uri())));
    response.add_header("Allow", kAllow);
    response.add_header("Accept", "application/sdp");
  }
  layer_->respond(key, std::move(response));
}

void MicrosoftProxy::on_bye(const sip::TransactionKey& key, const sip::Message& bye) {
  sip::Dialog* dialog = dialogs_.match_request(bye);
  if (dialog == nullptr) {
    layer_->respond(key, sip::make_response(bye, 481, "Call/Transaction Does Not Exist"));
    return;
  }
  if (dialog->on_request_received(bye) == sip::Dialog::CSeqOrder::OutOfOrder) {
    layer_->respond(key, sip::make_response(bye, 500, "Server Internal Error"));  // §12.2.2
    return;
  }
  dialogs_.remove_terminated(bye.call_id());
  layer_->respond(key, sip::make_response(bye, 200, "OK"));
  const std::string call_id(bye.call_id());
  if (InboundCall* inbound = find_inbound(call_id); inbound != nullptr) {
    if (inbound->answered) {
      signal_client(inbound->forks[*inbound->answered].endpoint,
                    client::ClientSignal{.kind = client::SignalKind::HangUp, .call = inbound->reference});
    }
    if (observer_ != nullptr) observer_->ended(call_id, now());
    return end_inbound(call_id);
  }
  if (OutboundCall* outbound = find_outbound_by_call_id(call_id); outbound != nullptr) {
    signal_client(outbound->key.client,
                  client::ClientSignal{.kind = client::SignalKind::HangUp, .call = outbound->key.reference});
    if (observer_ != nullptr) observer_->ended(outbound->leg, now());
    end_outbound(outbound->key);
  }
}

void MicrosoftProxy::on_reinvite(const sip::TransactionKey& key, const sip::Message& reinvite) {
  sip::Dialog* dialog = dialogs_.match_request(reinvite);
  if (dialog == nullptr) {
    layer_->respond(key, sip::make_response(reinvite, 481, "Call/Transaction Does Not Exist"));
    return;
  }
  if (dialog->on_request_received(reinvite) == sip::Dialog::CSeqOrder::OutOfOrder) {
    layer_->respond(key, sip::make_response(reinvite, 500, "Server Internal Error"));
    return;
  }
  // facts §3.10: Microsoft does not follow media re-targeting from the SBC; it keeps its own
  // side of the session as it was (RFC 3264 §8.3.1 makes following optional).
  std::string local_sdp;
  if (const InboundCall* inbound = find_inbound(reinvite.call_id()); inbound != nullptr)
    local_sdp = inbound->answer_sdp;
  if (const OutboundCall* outbound = find_outbound_by_call_id(reinvite.call_id()); outbound != nullptr)
    local_sdp = outbound->local_sdp;
  sip::Message response = sip::make_response(reinvite, 200, "OK");
  response.add_header("Contact", contact_value(settings_.fqdns.front()));
  if (!local_sdp.empty()) response.set_body("application/sdp", local_sdp);
  layer_->respond(key, std::move(response));
}

void MicrosoftProxy::send_bye(const sip::DialogId& dialog_id) {
  sip::Dialog* dialog = dialogs_.find(dialog_id);
  if (dialog == nullptr || dialog->state() == sip::Dialog::State::Terminated) return;
  sip::Message bye = dialog->build_request(sip::Method::Bye);
  bye.prepend_header("Via", via_value());
  // Direct Routing "Next hop": the top Record-Route if any, else the SBC's Contact.
  const sip::Uri hop = dialog->next_hop();
  const std::string host(hop.host());
  const std::uint16_t port = hop.port().value_or(kMicrosoftSipPort);
  dialog->terminate();
  dialogs_.remove_terminated(dialog_id.call_id);
  pool_->acquire(host, port, [this, bye](const SbcConnectionPool::Acquired& acquired) {
    if (acquired.connection) layer_->send_request(bye, endpoint_->stream_flow(*acquired.connection));
  });
}

void MicrosoftProxy::send_options_to_sbcs() {
  for (const KnownSbc& sbc : settings_.sbcs) {
    // facts §2.1: Microsoft pings the SBC's FQDN over its own connection; the answer only shows
    // the SBC is reachable, it changes no routing here.
    pool_->acquire(sbc.fqdn, sbc.port,
                   [this, fqdn = sbc.fqdn, port = sbc.port](const SbcConnectionPool::Acquired& acquired) {
                     if (!acquired.connection) return;
                     const std::string target = "sip:" + fqdn + ":" + std::to_string(port);
                     sip::Message options = sip::Message::request("OPTIONS", target);
                     options.add_header("Via", via_value());
                     options.add_header("Max-Forwards", "70");
                     options.add_header("From", "<sip:" + settings_.fqdns.front() + ":5061>;tag=" + new_tag());
                     options.add_header("To", "<" + target + ">");
                     options.add_header("Call-ID", new_call_id());
                     options.add_header("CSeq", std::to_string(++next_options_cseq_) + " OPTIONS");
                     options.add_header("Contact", contact_value(settings_.fqdns.front()));
                     layer_->send_request(std::move(options), endpoint_->stream_flow(*acquired.connection));
                   });
  }
  options_timer_ = start_timer(*settings_.options_interval, [this] { send_options_to_sbcs(); });
}

// ---- helpers

void MicrosoftProxy::signal_client(sim::ActorId endpoint, client::ClientSignal signal) {
  send_to_client(endpoint, client::encode_signal(signal));
}

void MicrosoftProxy::send_to_client(sim::ActorId endpoint, std::string bytes) {
  send(endpoint, settings_.client_signalling_latency, std::move(bytes));
}

bool MicrosoftProxy::certificate_names(const sip::Transport& flow, std::string_view fqdn) const {
  const auto connection = endpoint_->connection_of(flow);
  // Only a connection the SBC opened carries its client certificate (mutual TLS).
  if (!connection || pool_->owns(*connection)) return false;
  const net::Certificate* certificate = endpoint_->tcp().peer_certificate(*connection);
  return certificate != nullptr && net::certificate_matches_host(*certificate, fqdn);
}

std::optional<std::size_t> MicrosoftProxy::known_sbc_index_for_fqdn(std::string_view fqdn) const {
  for (std::size_t i = 0; i < settings_.sbcs.size(); ++i)
    if (sip::iequals(settings_.sbcs[i].fqdn, fqdn)) return i;
  return std::nullopt;
}

const KnownSbc* MicrosoftProxy::known_sbc(std::string_view fqdn) const {
  const auto index = known_sbc_index_for_fqdn(fqdn);
  return index ? &settings_.sbcs[*index] : nullptr;
}

std::optional<std::size_t> MicrosoftProxy::known_sbc_index(std::string_view name) const {
  for (std::size_t i = 0; i < settings_.sbcs.size(); ++i)
    if (settings_.sbcs[i].name == name) return i;
  return std::nullopt;
}

bool MicrosoftProxy::demoted(std::size_t sbc) const {
  const std::optional<sim::Time>& last = last_options_from_sbc_.at(sbc);
  return !last || now() - *last > settings_.options_demotion_window;
}

bool MicrosoftProxy::sbc_demoted(std::string_view sbc_name) const {
  const auto index = known_sbc_index(sbc_name);
  DRSIM_CHECK(index.has_value(), "sbc_demoted() for an SBC the proxy does not know");
  return demoted(*index);
}

const TeamsEndpoint* MicrosoftProxy::endpoint_of(sim::ActorId actor) const {
  if (actor >= endpoint_index_.size() || endpoint_index_[actor] == 0) return nullptr;
  return &settings_.endpoints[endpoint_index_[actor] - 1];
}

std::string MicrosoftProxy::via_value() {
  return "SIP/2.0/TLS " + settings_.fqdns.front() + ":5061;branch=" + layer_->new_branch();
}

std::string MicrosoftProxy::contact_value(std::string_view fqdn) const {
  return "<sip:" + std::string(fqdn) + ":5061;transport=tls>";
}

std::string MicrosoftProxy::local_fqdn_for(const sip::Uri& request_uri) const {
  // The Contact of an answer names the proxy FQDN the SBC dialled (wire contract).
  for (const std::string& fqdn : settings_.fqdns)
    if (sip::iequals(fqdn, request_uri.host())) return fqdn;
  return settings_.fqdns.front();
}

std::string MicrosoftProxy::new_tag() { return sip::lower_hex(++next_tag_); }

std::string MicrosoftProxy::new_call_id() {
  // Several datacenters may share an FQDN: the datacenter name keeps Call-IDs apart.
  return settings_.datacenter + "-" + std::to_string(++next_call_id_) + "@" + settings_.fqdns.front();
}

std::string MicrosoftProxy::client_leg(sim::ActorId client, std::uint64_t reference) const {
  const std::string& name = simulation().actor_name(client);
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, reference).ptr;
  std::string leg;
  leg.reserve(8 + name.size() + sizeof digits);
  leg.append("client:").append(name).append(":").append(digits, static_cast<std::size_t>(end - digits));
  return leg;
}

}  // namespace teams
