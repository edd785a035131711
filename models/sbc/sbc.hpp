#pragma once
// The customer's Session Border Controller (spec/direct-routing.md "Actors"): a back-to-back
// user agent (B2BUA) between its PSTN trunk and Microsoft's SIP proxies.
//  * OPTIONS (facts §2.1): at start and every options_interval it pings each proxy FQDN of its
//    list over TLS and keeps each one's health; it answers OPTIONS from either side with 200.
//  * Inbound calls (carrier → SBC → Microsoft): the carrier's INVITE is answered 100 at once and
//    relayed as a new INVITE to the first proxy FQDN, in list order, that is neither Down nor in
//    Retry-After quarantine. Each early dialog Microsoft forks gets an early dialog of its own
//    toward the carrier (one To tag each); the 2xx, ACK, BYE and CANCEL are relayed leg to leg.
//  * Datacenter failover (facts §1.4, issue 5 item 4): a 503 with Retry-After closes that
//    connection and keeps new calls off that FQDN for Retry-After seconds; any 503, a failed
//    connection or TLS handshake, and Timer B move the call to the next FQDN, until none is
//    left (then the carrier gets 503). A call that already rang is not moved: the carrier
//    heard ringing, and a second INVITE could ring the user twice.
//  * Outbound calls (Microsoft → SBC → carrier): the proxy's INVITE on a connection it opened
//    (the SBC is the TLS server there) is answered 100 at once and relayed to the carrier over
//    UDP with its SDP shrunk (sdp_rewriting.hpp).
//
// Wire contract shared with models/pstn and the proxy of models/teams (Wave 2 brief):
//  * Microsoft side, TLS: the SBC listens at ip:port; it reaches a proxy at <fqdn>:5061 over a
//    connection it opens or reuses, with Via "SIP/2.0/TLS <sbc fqdn>:<port>", Contact
//    "<sip:[number@]<contact fqdn>:<port>;transport=tls>" (contact fqdn: settings' contact_fqdn,
//    by default the SBC's fqdn), Request-URI
//    "sip:+E164@<proxy fqdn>:5061;user=phone" (INVITE) or "sip:<proxy fqdn>:5061" (OPTIONS).
//    In-dialog requests use the dialog's connection while it lasts, else the next hop's FQDN
//    (Dialog::next_hop(): top Record-Route, else Contact).
//  * Trunk side, UDP: the SBC listens at ip:5060 and sends new calls to the trunk's address
//    with Request-URI "sip:+E164@<carrier ip>:5060;user=phone"; requests inside a call go back
//    to the address its INVITE came from.
//  * Call-IDs are "<counter>@<sbc fqdn>", tags the hex of a counter, branches from the
//    transaction layer: no randomness.
//
// Not modelled: media (the SBC only names its own address in c=), re-INVITEs that change the
// session (a re-INVITE or UPDATE is answered locally with the SDP last sent on that leg, which
// is what a session refresh needs, RFC 4028), REFER and the other in-dialog methods (501).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/dns/dns_resolver.hpp"
#include "models/sbc/microsoft_proxy_set.hpp"
#include "models/sbc/sbc_faults.hpp"
#include "models/sbc/sdp_rewriting.hpp"
#include "sim/core/actor.hpp"
#include "sim/net/certificate.hpp"
#include "sim/net/sip_endpoint.hpp"
#include "sim/sip/dialog/dialog_set.hpp"
#include "sim/sip/dialog/dialog_table.hpp"
#include "sim/sip/transaction/transaction_layer.hpp"
#include "sim/trace/call_observer.hpp"
#include "sim/core/lookup_map.hpp"

namespace sbc {

// Wire contract: the trunk side listens and sends on UDP 5060.
inline constexpr std::uint16_t kTrunkSipPort = 5060;

// What the SBC does with a 503 that carries Retry-After (facts §1.4).
enum class RetryAfterHandling : std::uint8_t {
  FailOver,  // as Microsoft requires: close that connection, quarantine the FQDN, next FQDN
  Ignore,    // a misconfigured SBC: the 503 moves the call on like any 503, nothing more
};

struct SbcSettings {
  std::string fqdn;                                // e.g. "sbc1.contoso.com"
  // The host of its Contact toward Microsoft; empty: fqdn. Another name is a misconfiguration
  // Microsoft sees (spec 504 table, "Unable to deliver ACK" rows).
  std::string contact_fqdn;
  net::IpAddress ip;
  std::uint16_t port = 5061;                       // TLS toward Microsoft (any port is allowed)
  const net::Certificate* certificate = nullptr;   // read at every handshake: faults edit it
  net::TrustStore trust_store = net::TrustStore::microsoft_roots();  // for Microsoft's certificates
  // Ask Microsoft for its certificate on connections Microsoft opens. Off by default: the
  // documents require mutual TLS only in the SBC → Microsoft direction.
  bool request_microsoft_certificate = false;
  std::vector<std::string> allow = {"INVITE", "ACK",    "CANCEL", "BYE",   "OPTIONS",
                                    "REFER",  "NOTIFY", "PRACK",  "UPDATE", "INFO"};
  sim::Time options_interval = sim::Time::from_seconds(60);
  std::vector<std::string> proxies = {"sip.pstnhub.microsoft.com", "sip2.pstnhub.microsoft.com",
                                      "sip3.pstnhub.microsoft.com"};
  bool media_bypass = false;                       // offer ICE-lite toward Microsoft
  std::optional<net::SocketAddress> trunk;         // the carrier (UDP); none: outbound calls get 503
  std::vector<std::string> trunk_codecs = {"PCMU", "PCMA", "telephone-event"};
  sip::TimerValues timers;
  RetryAfterHandling retry_after = RetryAfterHandling::FailOver;
  // Which datacenter an address belongs to, for the call records' datacenter column.
  std::map<net::IpAddress, std::string> datacenters;
};

class Sbc final : public sim::Actor, private sip::SipCore, private net::SipEndpointEvents {
 public:
  Sbc(sim::ActorContext context, SbcSettings settings, trace::CallObserver* observer = nullptr);
  ~Sbc() override;

  // Wires the SBC to its host and starts listening (TLS at ip:port, UDP at ip:5060). Call once,
  // before the simulation starts; `resolver` (the SBC's own, owned by this actor) resolves the
  // proxy FQDNs. All four must outlive the SBC.
  void attach(net::UdpTransport& udp, net::TcpTransport& tcp, net::HostId host, dns::DnsResolver& resolver);

  void on_start() override;
  void on_receive(const sim::Delivery& delivery) override;

  // ---- what the runner and tests read
  const SbcSettings& settings() const { return settings_; }
  // nullopt for an FQDN outside the proxies list.
  std::optional<ProxyHealth> health(std::string_view proxy_fqdn) const;
  bool quarantined(std::string_view proxy_fqdn) const;
  std::uint64_t failovers() const { return failovers_; }
  std::size_t calls_in_progress() const { return calls_.size(); }

  // ---- faults (the injector calls these; None heals)
  void set_sip_corruption(SipCorruption corruption) { corruption_ = corruption; }

 private:
  enum class Direction : std::uint8_t { Inbound, Outbound };  // carrier → Microsoft, and back
  // A B2BUA call as the carrier or Microsoft sees it through the SBC.
  enum class CallState : std::uint8_t {
    Routing,   // inbound only: choosing a proxy, waiting for its connection
    Inviting,  // the relayed INVITE is out, nothing relayed back yet
    Early,     // an 18x came back and was relayed
    Answered,  // the 2xx was relayed: both dialogs confirmed
    Ended,     // failed, cancelled or hung up; forgotten once its INVITE transactions end
  };
  // One side of a call: the leg it arrived on (the SBC is its UAS) or the leg the SBC made (UAC).
  struct Leg {
    bool microsoft = false;                      // else the trunk
    std::string call_id;
    // UAS leg: the INVITE as received (the UAC leg's last one is uac_dialogs' invite()). On the
    // heap, like Call's uac_ack and answer: a call lives minutes and is looked at for a few
    // fields, which then share a few cache lines instead of being spread over whole messages.
    std::unique_ptr<const sip::Message> invite;
    std::optional<sip::TransactionKey> invite_key;
    std::optional<net::ConnectionId> connection; // Microsoft legs: the TLS connection in use
    net::SocketAddress trunk_peer;               // trunk legs: the carrier's address
    std::optional<sip::DialogId> dialog;         // the confirmed dialog, in dialogs_
    std::string sdp;                             // the SDP the SBC last sent on this leg
    std::string sdp_source;                      // the body `sdp` was rewritten from
  };
  struct Call {
    std::uint64_t number = 0;
    Direction direction = Direction::Inbound;
    CallState state = CallState::Routing;
    Leg uas;
    Leg uac;
    std::string uac_local_tag;
    std::optional<sip::DialogSet> uac_dialogs;             // the relayed INVITE's (forked) dialogs
    std::map<std::string, std::string> uas_tag_for_uac_tag; // one UAS-side early dialog per fork
    std::unique_ptr<const sip::Message> uac_ack;           // for the 2xx retransmissions
    std::string final_tag;        // the To tag of a failure answered on the UAS leg
    bool proceeding = false;      // a provisional (100 included) came: a CANCEL may go (§9.1)
    bool ringing = false;         // an 18x was relayed: the call is no longer moved
    bool cancel_pending = false;  // §9.1: the CANCEL waits for a provisional
    int live_invites = 0;         // INVITE transactions (either leg) not yet terminated
    // Inbound: the proxies tried so far (the last is the current one) and the attempt counter
    // that tells a stale connection callback from the current one.
    std::vector<std::size_t> tried_proxies;
    std::uint64_t attempt = 0;
    sim::TimerHandle connection_wait;
    // §13.3.1.4: the 2xx relayed on the UAS leg, retransmitted until its ACK (then dropped).
    std::unique_ptr<const sip::Message> answer;
    sim::Time answer_interval;
    sim::TimerHandle answer_retransmission;
    sim::TimerHandle ack_deadline;
  };

  // ---- sip::SipCore
  void on_request(const sip::TransactionKey& key, const sip::Message& request, sip::Transport& flow) override;
  void on_response(const sip::TransactionKey& key, const sip::Message& response) override;
  void on_timeout(const sip::TransactionKey& key, sip::TimerName timer) override;
  void on_transport_error(const sip::TransactionKey& key) override;
  void on_terminated(const sip::TransactionKey& key) override;
  void on_ack(const sip::TransactionKey& key, const sip::Message& ack) override;
  void on_timer_c(const sip::TransactionKey& key) override;
  // ---- net::SipEndpointEvents
  void on_connection_event(const net::ConnectionEvent& event) override;

  // ---- OPTIONS (sbc.cpp)
  void send_options_round();
  void ping(std::size_t proxy);
  void on_options_result(const sip::TransactionKey& key, bool up);
  sip::Message build_options(std::size_t proxy);
  void answer_options(const sip::TransactionKey& key, const sip::Message& request,
                      std::optional<net::ConnectionId> microsoft);

  // ---- answering and sending (sbc.cpp)
  // Answers a request; on a Microsoft connection under a SIP fault the bytes go out corrupted
  // and bypass the transaction, which the broken connection then fails.
  void respond(const sip::TransactionKey& key, sip::Message response, std::optional<net::ConnectionId> microsoft);
  sip::Transport& microsoft_flow(net::ConnectionId connection);
  sip::Transport& trunk_flow(const net::SocketAddress& peer);
  // facts §1.4: after a 503 with Retry-After; what was sent on the connection fails with it.
  void drop_proxy_connection(std::size_t proxy);
  std::string via(bool microsoft);
  std::string contact(bool microsoft, std::string_view user = {}) const;
  const std::string& allow_value() const { return texts_.allow; }
  std::string new_call_id();
  std::string new_tag();

  // ---- calls (sbc_calls.cpp)
  void on_new_call(const sip::TransactionKey& key, const sip::Message& invite, sip::Transport& flow,
                   std::optional<net::ConnectionId> microsoft);
  Call& open_call(const sip::TransactionKey& key, const sip::Message& invite, sip::Transport& flow,
                  std::optional<net::ConnectionId> microsoft);
  void route_to_next_proxy(Call& call, bool after_failure);
  void on_proxy_connection(std::uint64_t number, std::uint64_t attempt, std::optional<net::ConnectionId> connection);
  void send_invite_to_proxy(Call& call, net::ConnectionId connection);
  void send_invite_to_trunk(Call& call);
  void start_uac_invite(Call& call, sip::Message invite, sip::Transport& flow);
  // Timer B or a transport error on the relayed INVITE (`status_code` is what the calling side
  // hears when the call cannot move on).
  void on_uac_attempt_failed(Call& call, int status_code, std::string_view reason_phrase);
  void on_provisional(Call& call, const sip::Message& response);
  void relay_answer(Call& call, const sip::Message& response, const sip::DialogSet::Event& event);
  void relay_failure(Call& call, const sip::Message& response);
  void on_service_unavailable(Call& call, const sip::Message& response);
  sip::Message relayed_response(Call& call, const sip::Message& response);
  void relay_body(const sip::Message& from, sip::Message& to, Leg& toward, std::uint64_t call_number);
  void answer_uas_with_failure(Call& call, int status_code, std::string_view reason_phrase);
  void respond_on_uas(Call& call, sip::Message response);
  const std::string& final_tag(Call& call);
  void start_answer_retransmission(Call& call);
  void on_answer_retransmission(std::uint64_t number);
  void on_ack_for_answer(const sip::Message& ack);
  void on_cancel(const sip::TransactionKey& key, const sip::Message& cancel,
                 std::optional<net::ConnectionId> microsoft);
  void cancel_uac_leg(Call& call);
  void send_cancel(Call& call);
  void on_bye(const sip::TransactionKey& key, const sip::Message& bye, std::optional<net::ConnectionId> microsoft);
  void on_in_dialog_request(const sip::TransactionKey& key, const sip::Message& request,
                            std::optional<net::ConnectionId> microsoft);
  sip::Transport& uac_flow(Call& call);
  sip::Message ack_for(sip::Dialog& dialog, bool microsoft);
  void send_bye(Leg& leg, sip::Dialog& dialog);
  void send_in_dialog(Leg& leg, std::string next_hop, sip::Message request);
  void hang_up(Call& call);
  void end(Call& call);
  void forget_if_done(Call& call);
  Call* find_call(std::uint64_t number);
  Call* call_of_transaction(const sip::TransactionKey& key);
  Call* call_of_call_id(std::string_view call_id);
  std::optional<std::string> datacenter_of(net::ConnectionId connection) const;
  // facts §3.8: on an inbound call the caller is the P-Asserted-Identity's number when the
  // PSTN gives one ("the SBC must copy it into From"), else the From's.
  static std::string caller_of(const sip::Message& invite);
  // An address as a URI host: IPv6 in brackets (RFC 3261 §19.1.1, RFC 2732).
  static std::string host_text(const net::IpAddress& address);

  // Header parts that depend only on the settings, formatted once: writing an address as text
  // costs more than building the rest of a header around it.
  struct FixedTexts {
    std::string host;                    // settings_.ip as a URI host
    std::string trunk_host;              // the trunk's address as a URI host (empty without a trunk)
    std::string microsoft_via;           // "SIP/2.0/TLS <fqdn>:<port>;branch="
    std::string trunk_via;               // "SIP/2.0/UDP <host>:5060;branch="
    std::string microsoft_contact_host;  // "<contact fqdn>:<port>;transport=tls>"
    std::string trunk_contact_host;      // "<host>:5060>"
    std::string allow;                   // settings_.allow, comma-separated
  };
  static FixedTexts fixed_texts(const SbcSettings& settings);

  SbcSettings settings_;
  FixedTexts texts_;
  SdpRewriter sdp_rewriter_;  // the SBC's address text, formatted once for every SDP
  trace::CallObserver* observer_;
  SipCorruption corruption_ = SipCorruption::None;
  net::SocketAddress trunk_address_;  // this SBC's UDP socket
  std::unique_ptr<sip::TransactionLayer> layer_;
  std::unique_ptr<net::SipEndpoint> endpoint_;
  std::unique_ptr<MicrosoftProxySet> proxies_;
  std::map<net::ConnectionId, std::unique_ptr<MicrosoftFlow>> microsoft_flows_;
  sip::DialogTable dialogs_;

  sim::TimerHandle options_timer_;
  std::vector<bool> options_outstanding_;                    // by proxy: one ping at a time
  sip::TransactionKeyMap<std::size_t> options_by_key_;

  sim::StableNumberLookupMap<Call> calls_;  // by number; Calls stay put, nothing walks it
  sip::TransactionKeyMap<std::uint64_t> call_by_invite_key_;
  sim::StringLookupMap<std::uint64_t> call_by_call_id_;
  std::uint64_t next_call_ = 0;
  std::uint64_t next_call_id_ = 0;
  std::uint64_t next_tag_ = 0;
  std::uint64_t failovers_ = 0;
};

}  // namespace sbc
