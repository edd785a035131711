#pragma once
// The Teams side of a call is not SIP: the call controller and the Teams clients talk over
// HTTPS/REST. drsim models that leg as typed client-signalling messages with their own latency
// (spec/direct-routing.md "Forking"); the proxy turns them into SIP toward the SBC. They travel
// as short text so the fingerprint, the event trace and the ladders see them like SIP.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace client {

enum class SignalKind : std::uint8_t {
  IncomingCall,  // controller → client: ring (carries the caller's number and the offer)
  CallProgress,  // client → controller: ringing; controller → client on outbound calls (180)
  MediaAnswer,   // client → controller: the client's SDP before it answers (becomes 183); controller → client: early media
  CallAccepted,  // client → controller: answered (becomes 200); controller → client when the far end answers
  StopRinging,   // controller → client: another endpoint answered, the caller left, or the ring timeout
  HangUp,        // either way: the call is over
  PlaceCall,     // client → controller: the user dials a number (outbound)
  CallFailed,    // controller → client: the outbound call ended without an answer (codes and phrase)
};
std::string_view signal_kind_text(SignalKind kind);

struct ClientSignal {
  SignalKind kind = SignalKind::IncomingCall;
  std::uint64_t call = 0;      // the call reference both sides use; chosen by whoever starts the call
  std::string number{};        // IncomingCall: the caller; PlaceCall: the callee
  int sip_code = 0;            // CallFailed
  std::uint32_t ms_code = 0;   // CallFailed; 0 when Microsoft gives none
  std::string phrase{};        // CallFailed: Microsoft's final SIP phrase
  std::string sdp{};           // IncomingCall, MediaAnswer, CallAccepted, PlaceCall

  friend bool operator==(const ClientSignal&, const ClientSignal&) = default;
};

// "CallFailed call=7 sip=504 ms=569008\r\nphrase: Unable to deliver INVITE: ...\r\n\r\n<sdp>":
// one line of fields, an optional phrase line, a blank line, then the SDP (maybe empty).
std::string encode_signal(const ClientSignal& signal);
std::optional<ClientSignal> decode_signal(std::string_view bytes);

}  // namespace client
