#pragma once
// DialogId: what names a dialog at one user agent (RFC 3261 §12): Call-ID, local tag, remote
// tag. The same dialog has mirrored ids at its two ends. Ordered, so dialogs live in std::map
// and every walk over them is in a defined order (DESIGN determinism rule 3).
#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "sim/sip/message.hpp"

namespace sip {

struct DialogId {
  std::string call_id;
  std::string local_tag;
  std::string remote_tag;

  friend auto operator<=>(const DialogId&, const DialogId&) = default;
  friend bool operator==(const DialogId&, const DialogId&) = default;

  // §12.2.2: for a request this side receives, the local tag is the To tag and the remote tag
  // the From tag. nullopt when the To header has no tag: the request is outside any dialog.
  static std::optional<DialogId> of_received_request(const Message& request);
  // §12.1.2: for a response this side receives, the local tag is the From tag and the remote
  // tag the To tag. nullopt when the To header has no tag (a 100, or a UAS that set none).
  static std::optional<DialogId> of_received_response(const Message& response);
};

// A DialogId's parts viewed in strings someone else owns: what lookups build, so that finding a
// dialog allocates nothing. Orders exactly as DialogId does (both compare the parts in turn,
// byte for byte).
struct DialogIdView {
  std::string_view call_id;
  std::string_view local_tag;
  std::string_view remote_tag;

  DialogIdView(std::string_view call_id_text, std::string_view local, std::string_view remote)
      : call_id(call_id_text), local_tag(local), remote_tag(remote) {}
  DialogIdView(const DialogId& id)  // NOLINT(google-explicit-constructor): a view of it
      : call_id(id.call_id), local_tag(id.local_tag), remote_tag(id.remote_tag) {}
  friend auto operator<=>(const DialogIdView&, const DialogIdView&) = default;

  // As of_received_request / of_received_response, viewing the message's bytes.
  static std::optional<DialogIdView> of_received_request(const Message& request);
  static std::optional<DialogIdView> of_received_response(const Message& response);
};

// "call-id;local=tag;remote=tag", for logs and test failure messages.
std::string to_string(const DialogId& id);

}  // namespace sip
