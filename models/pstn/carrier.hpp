#pragma once
// A PSTN carrier at the far end of one SBC's trunk (spec/direct-routing.md, "Actors"): a SIP user
// agent on UDP 5060 at its IP that talks only to that SBC. It places the calls PSTN callers make
// toward Teams users (inbound calls: it is the UAC, RFC 3261 §13.2) and answers, with its phones'
// ring and answer delays, the calls Teams users make to its numbers (outbound calls: it is the
// UAS, §13.3). Every message crosses the simulated network as bytes through net::SipEndpoint and
// the shared sip::TransactionLayer; dialogs are sip::Dialog, forks a sip::DialogSet.
//
// Wire contract (models-common): Request-URI sip:+E164@<peer ip>:5060;user=phone, Via
// SIP/2.0/UDP <carrier ip>:5060, Call-ID "<counter>@<carrier ip>", tags from a counter.
//
// What it reports to the trace::CallObserver, and only that (what it alone knows): for the calls
// it places, call_started (leg = its Call-ID, direction inbound), final_response (the code it got;
// 408 for a timeout and 503 for a transport error, §8.1.3.1), answered and ended; for the calls it
// answers, answered (answered_by empty: a PSTN phone) and ended when it is the one hanging up.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "models/pstn/carrier_media.hpp"
#include "models/pstn/carrier_settings.hpp"
#include "sim/core/actor.hpp"
#include "sim/net/sip_endpoint.hpp"
#include "sim/sip/dialog/dialog_set.hpp"
#include "sim/sip/dialog/dialog_table.hpp"
#include "sim/sip/transaction/transaction_layer.hpp"
#include "sim/trace/call_observer.hpp"
#include "sim/core/lookup_map.hpp"

namespace pstn {

class Carrier final : public sim::Actor, private sip::SipCore, private net::SipEndpointEvents {
 public:
  // `settings` must pass check_carrier_settings (a failing one is a program bug and aborts);
  // `observer`, when given, must outlive the carrier.
  Carrier(sim::ActorContext context, CarrierSettings settings, trace::CallObserver* observer = nullptr);
  ~Carrier() override;

  // Joins the network as `host` (a host whose address is settings.ip, with this actor as its
  // receiver) and listens on UDP 5060. Calls need this first.
  void attach(net::UdpTransport& udp, net::TcpTransport& tcp, net::HostId host);

  // A PSTN caller dials now: experiment call number `call_number`, from `from` to the Teams
  // number `to`; the caller hangs up `holding` after the answer. Returns the leg id (Call-ID).
  std::string place_call(std::uint64_t call_number, std::string_view from, std::string_view to, sim::Time holding);

  void on_receive(const sim::Delivery& delivery) override;

  const CarrierSettings& settings() const { return settings_; }
  // Calls not yet forgotten: placed or received, still up or still finishing their transactions.
  std::size_t calls_in_progress() const { return placed_calls_.size() + received_calls_.size(); }
  const sip::DialogTable& dialogs() const { return dialogs_; }

 private:
  // PSTN → Teams: the carrier is the UAC of the INVITE (§13.2).
  struct PlacedCall {
    // Calling: INVITE sent; Proceeding: a provisional came; Cancelling: CANCEL sent (§9.1);
    // Answered: a 2xx confirmed a dialog and was ACKed; Ended: failed, or hung up by either side
    // (its transactions may still be finishing).
    enum class State : std::uint8_t { Calling, Proceeding, Cancelling, Answered, Ended };
    State state = State::Calling;
    std::string call_id;
    sip::TransactionKey invite;
    std::unique_ptr<sip::DialogSet> dialog_set;
    std::optional<sip::DialogId> answered_dialog;
    std::map<std::string, sip::Message> acks;  // by To tag: each 2xx's ACK, resent on its retransmissions
    std::string local_sdp;
    sim::Time holding;
    sim::TimerHandle hangup_timer;
    sim::TimerHandle cancel_deadline;
    bool invite_finished = false;  // the INVITE client transaction terminated
  };

  // Teams → PSTN: the carrier is the UAS of the INVITE (§13.3).
  struct ReceivedCall {
    // Trying: 100 sent; Ringing: 180 sent; Answered: 2xx sent, no ACK yet; Confirmed: ACKed;
    // Ended: rejected, cancelled, or hung up by either side.
    enum class State : std::uint8_t { Trying, Ringing, Answered, Confirmed, Ended };
    State state = State::Trying;
    std::string call_id;
    sip::TransactionKey invite_key;
    sip::Message invite;
    std::string local_tag;
    std::optional<sip::DialogId> dialog;
    std::string local_sdp;
    sim::TimerHandle ring_timer;
    sim::TimerHandle answer_timer;
    bool invite_finished = false;  // the INVITE server transaction terminated
  };

  // §13.3.1.4: the UAS core, not the transaction, retransmits its 2xx to an INVITE until the ACK
  // arrives: after T1, doubling up to T2, for at most 64*T1.
  struct UnacknowledgedSuccess {
    sip::TransactionKey invite_key;  // the server transaction, which passes 2xx on in Accepted
    sip::Message response;
    sim::Time interval;
    sim::Time give_up_at;
    sim::TimerHandle retransmit_timer;
  };

  // §20.5: what the carrier does. No PRACK, UPDATE or REFER: a PSTN trunk does without them.
  static constexpr std::string_view kAllow = "INVITE, ACK, CANCEL, BYE, OPTIONS";

  // ---- sip::SipCore (carrier.cpp)
  void on_request(const sip::TransactionKey& key, const sip::Message& request, sip::Transport& flow) override;
  void on_response(const sip::TransactionKey& key, const sip::Message& response) override;
  void on_stray_response(const sip::Message& response, sip::Transport& flow) override;
  void on_timeout(const sip::TransactionKey& key, sip::TimerName timer) override;
  void on_transport_error(const sip::TransactionKey& key) override;
  void on_terminated(const sip::TransactionKey& key) override;
  void on_ack(const sip::TransactionKey& key, const sip::Message& ack) override;
  void on_timer_c(const sip::TransactionKey& key) override;
  // ---- net::SipEndpointEvents: a UDP trunk has no connections to watch.
  void on_connection_event(const net::ConnectionEvent& event) override { static_cast<void>(event); }

  // ---- what both directions share (carrier.cpp)
  void on_in_dialog_request(const sip::TransactionKey& key, const sip::Message& request);
  void on_bye(const sip::TransactionKey& key, const sip::Message& bye, sip::Dialog& dialog);
  void on_reinvite(const sip::TransactionKey& key, const sip::Message& invite, sip::Dialog& dialog);
  void on_options(const sip::TransactionKey& key, const sip::Message& options);
  void on_ack_received(const sip::Message& ack);
  // Answers `request` with `status_code` and its default phrase (a new To tag unless given).
  void respond(const sip::TransactionKey& key, const sip::Message& request, int status_code,
               std::string_view to_tag = {});
  void send_bye(sip::Dialog& dialog);
  void send_ack(const sip::Message& ack, const sip::Dialog& dialog);
  void start_success_retransmissions(const sip::TransactionKey& invite_key, const sip::DialogId& dialog,
                                     const sip::Message& response);
  void retransmit_success(const sip::DialogId& dialog);
  void on_ack_never_came(const sip::DialogId& dialog);
  sip::Transport& trunk_flow();
  sip::Transport& flow_toward(const sip::Uri& next_hop);
  std::string new_via();  // top Via with a new branch
  std::string contact(std::string_view user) const;
  std::string new_tag();
  MediaEndpoint next_media_endpoint();
  static std::string uri_host(const net::IpAddress& address);

  // ---- calls the carrier places (carrier_placed_calls.cpp)
  void on_placed_call_response(PlacedCall& call, const sip::Message& response);
  void on_placed_call_answered(PlacedCall& call, sip::Dialog& dialog, const sip::Message& response);
  void on_placed_call_failed(PlacedCall& call, int status_code, std::string_view phrase);
  void on_placed_call_bye(PlacedCall& call);
  void hang_up(PlacedCall& call);
  void cancel(PlacedCall& call);
  void acknowledge_2xx(PlacedCall& call, sip::Dialog& dialog);
  void forget_if_finished(std::string call_id);  // by value: callers pass the call's own id
  PlacedCall* placed_call(std::string_view call_id);

  // ---- calls the carrier answers (carrier_received_calls.cpp)
  void on_new_invite(const sip::TransactionKey& key, const sip::Message& invite);
  void ring(const std::string& call_id);
  void answer(const std::string& call_id);
  void on_cancel(const sip::TransactionKey& key, const sip::Message& cancel);
  void on_received_call_ack(ReceivedCall& call);
  void on_received_call_bye(ReceivedCall& call);
  void forget_received_if_finished(std::string call_id);
  void forget_received_call(std::string call_id);
  bool serves_number(std::string_view number) const;
  ReceivedCall* received_call(std::string_view call_id);

  CarrierSettings settings_;
  trace::CallObserver* observer_;
  net::SocketAddress local_;  // settings_.ip, port 5060
  // Texts every message repeats, formatted once: writing an address costs more than the rest.
  std::string ip_text_;            // settings_.ip.text()
  std::string host_;               // uri_host(settings_.ip)
  std::string via_prefix_;         // "SIP/2.0/UDP <host>:5060;branch="
  std::string contact_host_;       // "<host>:5060>"
  std::string sbc_host_;           // uri_host(settings_.sbc.ip)
  std::string request_uri_host_;   // "<sbc host>:<sbc port>;user=phone"
  sip::TransactionLayer layer_;
  std::unique_ptr<net::SipEndpoint> endpoint_;
  sip::DialogTable dialogs_;
  sim::StableStringLookupMap<PlacedCall> placed_calls_;               // by Call-ID
  sim::StableStringLookupMap<ReceivedCall> received_calls_;           // by Call-ID
  // INVITE client key → its call in placed_calls_ (elements stay put until erased, and a call is
  // forgotten only once its INVITE transaction is): every response finds its call in one lookup.
  sip::TransactionKeyMap<PlacedCall*> placed_invites_;
  sip::TransactionKeyMap<std::string> received_invites_;             // INVITE server key → Call-ID
  sip::TransactionKeyMap<sip::DialogId> byes_;                       // BYE client key → its dialog
  std::map<sip::DialogId, UnacknowledgedSuccess> unacknowledged_;    // §13.3.1.4, by dialog
  std::uint32_t tag_sender_;  // branch_sender_id(name): tags of two carriers never meet
  std::string tag_prefix_;    // the first half of every tag: hex8(tag_sender_)
  std::uint64_t call_counter_ = 0;
  std::uint64_t tag_counter_ = 0;
  std::uint64_t session_counter_ = 0;
};

}  // namespace pstn
