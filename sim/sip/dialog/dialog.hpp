#pragma once
// Dialog: the peer-to-peer state two user agents share for one call leg (RFC 3261 §12): its id,
// the CSeq numbers of both directions, the remote target, the route set and the state. It
// builds the requests this side sends inside the dialog (§12.2.1.1) and applies the requests and
// responses it sees (§12.2.1.2, §12.2.2, §12.3). It sends nothing itself: the caller hands the
// built requests to the transaction layer and tells the dialog what came back.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/result.hpp"
#include "sim/sip/dialog/dialog_id.hpp"
#include "sim/sip/inline_vector.hpp"
#include "sim/sip/message.hpp"
#include "sim/sip/uri.hpp"

namespace sip {

class Dialog {
 public:
  // §12: a 1xx with a To tag creates an Early dialog, a 2xx a Confirmed one.
  enum class State : std::uint8_t { Early, Confirmed, Terminated };
  // Which side of the dialog-creating INVITE this user agent was.
  enum class Role : std::uint8_t { Uac, Uas };
  // §12.2.2 verdict on a received request's CSeq. OutOfOrder: the caller MUST answer
  // 500 (Server Internal Error) and the dialog state was left unchanged.
  enum class CSeqOrder : std::uint8_t { InOrder, OutOfOrder };

  // §12.1.2: the UAC's dialog from the INVITE it sent and a 101-199 response with a To tag
  // (Early) or a 2xx (Confirmed). Fails on any other response, a response without To tag or
  // Contact, or an unparsable Record-Route.
  static sim::Result<Dialog, std::string> create_as_uac(const Message& invite, const Message& response);
  // §12.1.1: the UAS's dialog from the INVITE it received and the 101-299 response with a To
  // tag it sends. Fails when the INVITE has no Contact or its Record-Route does not parse.
  static sim::Result<Dialog, std::string> create_as_uas(const Message& invite, const Message& response);

  const DialogId& id() const { return id_; }
  State state() const { return state_; }
  Role role() const { return role_; }
  bool is_secure() const { return secure_; }
  // URIs, in the order requests visit them (§12.1.1, §12.1.2). The views point into this
  // dialog: valid until it changes or moves.
  std::vector<std::string_view> route_set() const;
  std::string_view remote_target() const { return view(remote_target_); }
  std::string_view local_uri() const { return view(local_uri_); }
  std::string_view remote_uri() const { return view(remote_uri_); }
  std::optional<std::uint32_t> local_cseq() const { return local_cseq_; }    // empty: none sent yet
  std::optional<std::uint32_t> remote_cseq() const { return remote_cseq_; }  // empty: none received yet
  // Where the caller sends a request built here: the first route if there is a route set, else
  // the remote target (§12.2.1.1, §8.1.2). For Direct Routing this is "the top Record-Route,
  // else Contact". The view points into this dialog: valid until it changes or moves.
  Uri next_hop() const;

  // §12.2.1.1: BYE, re-INVITE, UPDATE, INFO, REFER, NOTIFY... with From, To, Call-ID, CSeq,
  // Max-Forwards, Request-URI and Route from the dialog state, plus this side's Contact on a
  // target refresh request. Each takes the next local CSeq number; ACK (for a 2xx, §13.2.2.4)
  // reuses the number of the last INVITE this side sent. Via, body and the method's own headers
  // are the caller's. CANCEL is never built here (§9.1: it copies the INVITE it cancels), and
  // building on a Terminated dialog is a program bug.
  Message build_request(Method method);

  // §12.2.2: a request from the peer that matched this dialog. Out-of-order requests change
  // nothing; otherwise the remote CSeq takes the request's number, a target refresh request
  // (re-INVITE, UPDATE) with a Contact replaces the remote target, and a BYE terminates.
  CSeqOrder on_request_received(const Message& request);
  // A response to a request this side sent: on an Early UAC dialog the INVITE's 2xx confirms it
  // (route set recomputed, §13.2.2.4) and a non-2xx final terminates it (§12.3); a 2xx to a
  // target refresh replaces the remote target (§12.2.1.2); 481 and 408 terminate (§12.2.1.2);
  // any final response to a BYE terminates (§15.1.1).
  void on_response_received(const Message& response);
  // A response this side sends to the dialog-creating INVITE (UAS): 2xx confirms, a non-2xx
  // final terminates (§12.3). Other responses leave the state as it is.
  void on_response_sent(const Message& response);
  void terminate() { state_ = State::Terminated; }

 private:
  Dialog() = default;

  // A piece of text_.
  struct TextSpan {
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
  };
  // Everything text_ holds, as views (possibly into text_ itself).
  struct Texts {
    std::span<const std::string_view> route_set;
    std::string_view remote_target, local_target, local_uri, remote_uri, local_display_name, remote_display_name;
  };

  void confirm_from_2xx(const Message& response);
  std::string from_header() const;
  std::string to_header() const;
  std::string_view view(TextSpan span) const { return std::string_view(text_).substr(span.offset, span.size); }
  Texts texts(std::span<const std::string_view> route_set) const;
  // Rewrites text_ and every span; `texts` may view the old text_.
  void store(const Texts& texts);
  void set_remote_target(std::string_view uri);

  DialogId id_;
  State state_ = State::Early;
  Role role_ = Role::Uac;
  bool secure_ = false;
  // The URIs and display names below, in one block: a dialog is made for every fork of every
  // call, and eight strings of their own cost eight allocations and, when a BYE is built from
  // the dialog seconds later, as many cache misses. They change only on a target refresh or a
  // 2xx's new route set, when the block is rewritten.
  std::string text_;
  InlineVector<TextSpan, 2> route_set_;
  TextSpan remote_target_;
  TextSpan local_target_;  // this side's Contact URI, repeated in target refresh requests
  TextSpan local_uri_;
  TextSpan remote_uri_;
  TextSpan local_display_name_;   // as written, with quotes; not dialog state, but kept
  TextSpan remote_display_name_;  // so the BYE names the parties as the INVITE did
  std::optional<std::uint32_t> local_cseq_;
  std::optional<std::uint32_t> remote_cseq_;
  std::optional<std::uint32_t> last_invite_cseq_;  // what an ACK for a 2xx carries
};

// §12.2: requests that may change the remote target (RFC 3261 re-INVITE, RFC 3311 UPDATE).
bool is_target_refresh(Method method);

}  // namespace sip
