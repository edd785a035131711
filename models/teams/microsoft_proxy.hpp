#pragma once
// Microsoft's Direct Routing SIP proxy of one datacenter (spec/direct-routing.md "Actors"). It
// terminates the SBCs' mutual-TLS connections on 5061, answers their OPTIONS, turns an SBC's
// INVITE into client signalling to every endpoint of the called user (and their progress back
// into SIP), and carries Teams users' calls out to the SBCs of their voice route with the
// failover and the 504 subcodes Microsoft documents.
//
// Inbound (SBC → Teams), spec "Inbound call" and "Forking":
//  * 403 for an IP address in Contact or Record-Route, or a Contact FQDN the SBC's certificate
//    does not name (RFC 2818 §3.1); 403 / 510532 when no tenant registered the FQDN (or its
//    domain part) or the tenant did not pair that SBC; 404 / 511404 when the reverse number
//    lookup fails; 480 / 10037 for a user without endpoints; 503 + Retry-After while busy.
//    Microsoft's code travels to the SBC in an `ms-diagnostics` header, the form Microsoft's
//    SIP servers use: `ms-diagnostics: 511404;reason="...";source="sip.pstnhub.microsoft.com"`.
//  * Otherwise 100 Trying at once, IncomingCall to every endpoint, and per endpoint: its first
//    CallProgress → a 180 on its own early dialog (its own To tag); a MediaAnswer → a 183 with
//    SDP (non-bypass: the media processor's SDP, once per call, on that endpoint's fork;
//    bypass: the client's SDP, every time); the first CallAccepted → 200 with SDP and
//    StopRinging to the others. ACK confirms; no ACK within 64*T1 ends the call (1106 / 408).
//  * ring_timeout with no answer → StopRinging to all and 480 Temporarily Unavailable (RFC 3261
//    §21.4.18, "no answer"; Microsoft would go to voicemail, which drsim does not model).
//    CANCEL → 200, 487 Request Terminated and StopRinging to all.
//
// Outbound (Teams → SBC), facts §1.5:
//  * The caller's tenant's voice route lists SBCs; those without OPTIONS within
//    options_demotion_window are tried last, never skipped (facts §2.2).
//  * Per SBC: resolve its FQDN, open or reuse a TLS connection (SbcConnectionPool), send the
//    INVITE. A failure before or while delivering it is a 504 with the subcode of
//    delivery_failure.hpp. failover_time (counted from the INVITE leaving on an established
//    connection, stopped by a final or a non-100 provisional) moves to the next SBC, as does a
//    final code in failover_response_codes when no provisional other than 100 came back;
//    any other final passes to the client with 560xxx. A network-level failure (any of the
//    504 rows on the INVITE) hands the call to the next datacenter, which tries the same SBC
//    again from its own pool (facts §1.5) and then carries on down the route itself; a trunk
//    that fails that retry too moves to the next SBC. When no SBC is left, the client hears
//    the last failure (500001 / 408 after a failover timer).
//  * 18x → CallProgress, 200 → ACK and CallAccepted, client HangUp → BYE, SBC BYE → HangUp.
//
// Client signalling goes straight between actors (it is HTTPS in reality, not SIP): the proxy
// recognises it by its source, one of the configured Teams endpoint actors.
//
// CallObserver legs: an inbound call is the SBC's Call-ID, joined to "client:<endpoint>:<ref>"
// of each endpoint it rings; an outbound call is the client's leg, joined to the Call-ID of each
// INVITE sent for it. final_response is reported for the calls Microsoft itself ends, with its
// code (the SBC and the carrier only see the SIP status, or the ms-diagnostics header).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/client/client_signal.hpp"
#include "models/dns/dns_resolver.hpp"
#include "models/teams/datacenter_message.hpp"
#include "models/teams/media_processor.hpp"
#include "models/teams/microsoft_response_codes.hpp"
#include "models/teams/sbc_connection_pool.hpp"
#include "models/teams/tenant_directory.hpp"
#include "sim/core/actor.hpp"
#include "sim/net/certificate.hpp"
#include "sim/net/sip_endpoint.hpp"
#include "sim/sip/dialog/dialog_set.hpp"
#include "sim/sip/dialog/dialog_table.hpp"
#include "sim/sip/transaction/transaction_layer.hpp"
#include "sim/trace/call_observer.hpp"
#include "sim/core/lookup_map.hpp"

namespace teams {

// A row of Get-CsOnlinePSTNGateway: an SBC paired with a tenant.
struct KnownSbc {
  std::string name;
  std::string fqdn;
  std::uint16_t port = 5061;
  std::size_t tenant = 0;  // TenantDirectory index of the tenant that paired it
  bool media_bypass = false;
};

// A tenant's online voice route: the called numbers it matches (a prefix of the E.164 number,
// "+" for all) and the names of its SBCs in the order Microsoft tries them.
struct VoiceRoute {
  std::size_t tenant = 0;
  std::vector<std::string> sbcs;
  std::string prefix = "+";
};

// One Teams client actor of a user.
struct TeamsEndpoint {
  sim::ActorId actor = 0;
  UserRef user;
  EndpointKind kind = EndpointKind::Desktop;
};

// Another datacenter's proxy as this one reaches it over Microsoft's backbone.
struct OtherDatacenter {
  sim::ActorId proxy = 0;
  std::string name;
  sim::Time latency;  // one way
  net::HostId host = 0;  // whether it is up (fault datacenter_down) is the backbone's knowledge
};

struct MicrosoftProxySettings {
  std::string datacenter;                         // [[datacenter]] name, reported through CallObserver
  net::IpAddress ip;                              // the proxy listens TLS 5061 here
  std::vector<std::string> fqdns;                 // names it answers for; the first names it on outbound calls
  const net::Certificate* certificate = nullptr;  // *.pstnhub.microsoft.com
  const net::TrustStore* trust_store = nullptr;   // net::TrustStore::microsoft(CAs)
  const TenantDirectory* tenants = nullptr;
  std::vector<KnownSbc> sbcs;
  std::vector<VoiceRoute> voice_routes;
  std::vector<TeamsEndpoint> endpoints;
  const dns::DnsZone* dns_zone = nullptr;
  dns::ResolverSettings resolver;
  sip::TimerValues timers;
  sim::Time failover_time = sim::Time::from_seconds(10);    // -FailoverTimeSeconds
  std::vector<int> failover_response_codes{408, 503, 504};  // -FailoverResponseCodes
  sim::Time ring_timeout = sim::Time::from_seconds(20);     // unanswered inbound calls
  sim::Time options_demotion_window = sim::Time::from_seconds(300);
  // Microsoft's own OPTIONS to every known SBC, at start and then at this interval; the interval
  // is not documented (facts §2.1), so none unless set.
  std::optional<sim::Time> options_interval;
  sim::Time client_signalling_latency = sim::Time::from_milliseconds(50);  // controller → client
  std::string media_processor_address;                                     // empty: the datacenter's ip
};

class MicrosoftProxy final : public sim::Actor, public sip::SipCore, public net::SipEndpointEvents {
 public:
  MicrosoftProxy(sim::ActorContext context, MicrosoftProxySettings settings, trace::CallObserver* observer = nullptr);
  ~MicrosoftProxy() override;

  // Puts the proxy on its host (whose actor it is) and listens TLS on ip:5061, asking every
  // client for its certificate (mutual TLS, facts §2.1). Call once, before the run.
  void attach(net::UdpTransport& udp, net::TcpTransport& tcp, net::HostId host);
  // The other datacenters in the order this proxy hands a call to them after a network-level
  // failure (facts §1.5): the first one whose host is up in `network`. Call once, before the
  // run, when every proxy exists.
  void set_other_datacenters(std::vector<OtherDatacenter> others, const net::Network& network);

  void on_start() override;
  void on_receive(const sim::Delivery& delivery) override;

  // Fault datacenter_busy: new INVITEs get 503 with Retry-After (seconds); nullopt heals it.
  void set_busy(std::optional<std::uint32_t> retry_after_seconds) { busy_retry_after_ = retry_after_seconds; }

  // An SBC with no OPTIONS from it within options_demotion_window (or none ever) is demoted.
  bool sbc_demoted(std::string_view sbc_name) const;
  std::size_t inbound_calls_in_progress() const { return inbound_calls_.size(); }
  std::size_t outbound_calls_in_progress() const { return outbound_calls_.size(); }

 private:
  // ---- inbound calls (microsoft_proxy_inbound.cpp)
  struct Fork {
    sim::ActorId endpoint = 0;
    EndpointKind kind = EndpointKind::Desktop;
    std::string to_tag;  // this endpoint's early dialog
    bool ringing = false;
  };
  struct InboundCall {
    // Ringing: forks offered. Accepted: 200 sent, ACK awaited. Confirmed: ACK received.
    enum class State : std::uint8_t { Ringing, Accepted, Confirmed };
    State state = State::Ringing;
    std::uint64_t reference = 0;  // the client-signalling call reference
    sip::TransactionKey invite_key;
    sip::Message invite;
    std::string contact;  // the Contact of its answers: the proxy FQDN the SBC dialled
    bool media_bypass = false;
    std::string media_sdp;  // the media processor's side of this call (non-bypass)
    std::vector<Fork> forks;
    bool session_progress_sent = false;  // non-bypass: one 183 per call
    std::optional<std::size_t> answered;
    std::string answer_sdp;
    std::optional<sip::DialogId> dialog;
    sim::TimerHandle ring_timer;
    sim::TimerHandle ack_timer;
    sim::TimerHandle answer_retransmission;  // §13.3.1.4: the 200 again until the ACK
    sim::Time answer_interval;
  };
  struct Rejection {
    int sip_code = 0;
    std::optional<MicrosoftOutcome> outcome;
    static Rejection of(MicrosoftOutcome outcome);
  };
  // Who an accepted INVITE is for and which trunk it came on.
  struct InboundTarget {
    UserRef user;
    const KnownSbc* sbc = nullptr;
  };

  void on_inbound_invite(const sip::TransactionKey& key, const sip::Message& invite, sip::Transport& flow);
  sim::Result<InboundTarget, Rejection> screen_inbound(const sip::Message& invite, const sip::Transport& flow) const;
  void reject_inbound(const sip::TransactionKey& key, const sip::Message& invite, const Rejection& rejection);
  void offer_to_endpoints(InboundCall& call, const std::string& call_id, UserRef user);
  using InboundEntry = std::pair<const sim::LookupKey, InboundCall>;  // an inbound_calls_ element
  void on_inbound_signal(const client::ClientSignal& signal, sim::ActorId source, InboundEntry& entry);
  void on_endpoint_progress(InboundCall& call, Fork& fork);
  void on_endpoint_media(InboundCall& call, Fork& fork, const std::string& sdp);
  void on_endpoint_accepted(std::string_view call_id, InboundCall& call, std::size_t fork, const std::string& sdp);
  void on_inbound_ack(const sip::Message& ack);
  void on_inbound_cancel(const sip::TransactionKey& key, const sip::Message& cancel);
  void on_ring_timeout(const std::string& call_id);
  void on_ack_timeout(const std::string& call_id);
  void on_answer_retransmission(std::uint64_t reference);
  sip::Message inbound_response(const InboundCall& call, int sip_code, std::string_view to_tag) const;
  // The 200 of an accepted call (answered fork's tag, answer_sdp): sent, and sent again until
  // the ACK, from this one builder so the retransmissions are the same bytes.
  sip::Message inbound_answer(const InboundCall& call) const;
  void stop_ringing(const InboundCall& call, std::optional<std::size_t> except);
  void end_inbound(std::string_view call_id);
  InboundCall* find_inbound(std::string_view call_id);

  // ---- outbound calls (microsoft_proxy_outbound.cpp)
  struct OutboundKey {
    sim::ActorId client = 0;
    std::uint64_t reference = 0;
    auto operator<=>(const OutboundKey&) const = default;
  };
  // What the client hears when no SBC is left.
  struct CallFailure {
    int sip_code = 0;
    std::uint32_t ms_code = 0;
    std::string phrase;
  };
  struct OutboundCall {
    // Routing: waiting for a connection to the current SBC. Inviting: INVITE sent, no final.
    // Connected: 200 received and acknowledged.
    enum class State : std::uint8_t { Routing, Inviting, Connected };
    State state = State::Routing;
    OutboundKey key;
    std::string leg;  // "client:<actor name>:<reference>"
    std::string caller;
    std::string callee;
    std::string client_sdp;
    std::string local_sdp;           // the SDP Microsoft offered the SBC
    std::vector<std::size_t> route;  // indexes into settings_.sbcs, demoted ones last
    std::size_t next_route_entry = 0;
    std::uint64_t attempt = 0;  // stale pool answers carry an older attempt number
    // The attempt in progress.
    std::size_t sbc = 0;
    std::string call_id;
    std::optional<sip::TransactionKey> invite_key;
    std::optional<net::ConnectionId> connection;
    bool connection_reused = false;
    bool trying_received = false;       // 100
    bool provisional_received = false;  // 101-199: no more failover on SIP codes (facts §1.5)
    bool any_response_received = false;
    bool awaiting_connection_event = false;  // transport error heard; the event tells why
    // Handed over by another datacenter: the first attempt here is already the retry of its
    // trunk and does not go back (facts §1.5 retries once, from one other datacenter).
    bool retrying_for_other_datacenter = false;
    std::unique_ptr<sip::DialogSet> dialogs;
    sim::TimerHandle failover_timer;
    CallFailure last_failure;
  };

  void on_place_call(sim::ActorId client, const client::ClientSignal& signal);
  // The SBCs of every route of `tenant` that matches `callee`, in route order, each once.
  std::vector<std::size_t> route_for(std::size_t tenant, std::string_view callee) const;
  void try_next_sbc(OutboundCall& call);
  void on_connection_acquired(OutboundKey key, std::uint64_t attempt, const SbcConnectionPool::Acquired& acquired);
  void send_outbound_invite(OutboundCall& call, net::ConnectionId connection);
  void on_outbound_response(OutboundCall& call, const sip::Message& response);
  void on_outbound_answer(OutboundCall& call, const sip::Message& response, const sip::DialogSet::Event& event);
  void on_ack_route(OutboundKey key, std::uint64_t attempt, const SbcConnectionPool::Acquired& acquired,
                    const sip::Message& ack, const std::string& sdp);
  void on_failover_timer(OutboundKey key);
  void on_attempt_failed(OutboundCall& call, CallFailure failure);
  void on_delivery_failed(OutboundCall& call, MicrosoftOutcome outcome);
  // The first of other_datacenters_ whose host is up; nullptr when none is.
  const OtherDatacenter* datacenter_to_hand_to() const;
  void hand_to_other_datacenter(OutboundCall& call, const OtherDatacenter& other, CallFailure failure);
  void on_datacenter_message(const DatacenterMessage& message);
  void on_trunk_retry(const DatacenterMessage& retry);
  void abandon_attempt(OutboundCall& call);
  void finish_outbound_failed(OutboundCall& call, const CallFailure& failure);
  void on_outbound_signal(const client::ClientSignal& signal, sim::ActorId source);
  void end_outbound(OutboundKey key);
  void on_invite_transport_error(OutboundCall& call);
  void on_pooled_connection_ended(const net::ConnectionEvent& event);
  OutboundCall* find_outbound_by_call_id(std::string_view call_id);
  sip::Message build_outbound_invite(const OutboundCall& call, const KnownSbc& sbc);
  void send_cancel(const OutboundCall& call);
  void forget_abandoned(const std::string& call_id);

  // ---- shared (microsoft_proxy.cpp)
  // What the proxy answers for in OPTIONS and INVITE (no REFER, NOTIFY or UPDATE: transfer and
  // session refresh are not modelled).
  static constexpr std::string_view kAllow = "INVITE, ACK, CANCEL, BYE, OPTIONS";
  // SipCore
  void on_request(const sip::TransactionKey& key, const sip::Message& request, sip::Transport& flow) override;
  void on_response(const sip::TransactionKey& key, const sip::Message& response) override;
  void on_timeout(const sip::TransactionKey& key, sip::TimerName timer) override;
  void on_transport_error(const sip::TransactionKey& key) override;
  void on_ack(const sip::TransactionKey& key, const sip::Message& ack) override;
  // SipEndpointEvents
  void on_connection_event(const net::ConnectionEvent& event) override;
  void on_malformed_message(std::uint64_t channel, const sip::ParseError& error) override;

  void on_client_signal(sim::ActorId source, const client::ClientSignal& signal);
  void on_options(const sip::TransactionKey& key, const sip::Message& options, const sip::Transport& flow);
  void on_bye(const sip::TransactionKey& key, const sip::Message& bye);
  void on_reinvite(const sip::TransactionKey& key, const sip::Message& reinvite);
  void send_options_to_sbcs();
  void send_in_dialog(sip::Message request, const sip::Uri& next_hop);
  void send_bye(const sip::DialogId& dialog_id);
  void signal_client(sim::ActorId endpoint, client::ClientSignal signal);
  // An encoded signal (client::encode_signal): one signal to several endpoints is encoded once.
  void send_to_client(sim::ActorId endpoint, std::string bytes);

  // Identity of the SBC on an accepted connection: its certificate names `fqdn`.
  bool certificate_names(const sip::Transport& flow, std::string_view fqdn) const;
  const KnownSbc* known_sbc(std::string_view fqdn) const;
  std::optional<std::size_t> known_sbc_index_for_fqdn(std::string_view fqdn) const;
  std::optional<std::size_t> known_sbc_index(std::string_view name) const;
  bool demoted(std::size_t sbc) const;
  const TeamsEndpoint* endpoint_of(sim::ActorId actor) const;
  std::string via_value();
  std::string contact_value(std::string_view fqdn) const;
  std::string local_fqdn_for(const sip::Uri& request_uri) const;
  std::string new_tag();
  std::string new_call_id();
  std::string client_leg(sim::ActorId client, std::uint64_t reference) const;

  MicrosoftProxySettings settings_;
  trace::CallObserver* observer_;
  MediaProcessor media_processor_;
  std::unique_ptr<dns::DnsResolver> resolver_;
  std::unique_ptr<sip::TransactionLayer> layer_;
  std::unique_ptr<net::SipEndpoint> endpoint_;
  std::unique_ptr<SbcConnectionPool> pool_;
  sip::DialogTable dialogs_;
  std::optional<std::uint32_t> busy_retry_after_;
  // actor id → its settings_.endpoints index + 1 (0: not an endpoint); ids are dense, and every
  // delivery asks whether its source is a Teams endpoint.
  std::vector<std::size_t> endpoint_index_;
  // (tenant, user) → that user's settings_.endpoints indexes, in settings order: an inbound
  // call's forks without scanning every endpoint of a 6000-client deployment.
  std::map<std::pair<std::size_t, std::size_t>, std::vector<std::size_t>> endpoints_of_user_;
  std::vector<std::optional<sim::Time>> last_options_from_sbc_;    // by settings_.sbcs index
  sim::StableStringLookupMap<InboundCall> inbound_calls_;         // by the SBC's Call-ID
  // Client-signalling reference → the call's inbound_calls_ entry (its Call-ID and the call),
  // which stays where it is until end_inbound erases it: no Call-ID copy and second lookup for
  // every signal of a client.
  sim::NumberLookupMap<InboundEntry*> inbound_by_reference_;
  sip::TransactionKeyMap<std::string> inbound_by_invite_key_;
  std::map<OutboundKey, OutboundCall> outbound_calls_;
  sim::StringLookupMap<OutboundKey> outbound_by_call_id_;
  // INVITEs given up on (failover): a late 2xx is still ACKed and then ended with BYE (§13.2.2.4).
  sim::StringLookupMap<std::unique_ptr<sip::DialogSet>> abandoned_invites_;
  std::map<net::ConnectionId, sip::ParseErrorKind> malformed_on_connection_;
  std::vector<OtherDatacenter> other_datacenters_;
  const net::Network* network_ = nullptr;  // for datacenter_to_hand_to
  // Calls handed to another datacenter (its index in other_datacenters_): the client still
  // sends its hang-up here, and this proxy passes it on.
  std::map<OutboundKey, std::size_t> handed_over_;
  sim::TimerHandle options_timer_;
  std::uint64_t next_reference_ = 0;
  std::uint64_t next_tag_ = 0;
  std::uint64_t next_call_id_ = 0;
  std::uint64_t next_media_session_ = 0;
  std::uint32_t next_options_cseq_ = 0;
};

}  // namespace teams
