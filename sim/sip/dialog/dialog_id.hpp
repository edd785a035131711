#pragma once
// DialogId: what names a dialog at one user agent (RFC 3261 §12): Call-ID, local tag, remote
// tag. The same dialog has mirrored ids at its two ends. Ordered, so dialogs live in std::map
// and every walk over them is in a defined order (DESIGN determinism rule 3).
#include <compare>
#include <optional>
#include <string>

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

// "call-id;local=tag;remote=tag", for logs and test failure messages.
std::string to_string(const DialogId& id);

}  // namespace sip
