#pragma once
// DialogTable: every dialog one user agent takes part in, keyed by DialogId, and the matching of
// messages to them (RFC 3261 §12.2). Hashed by Call-ID (a busy user agent holds thousands of
// calls, and a tree of long string keys costs a cache miss per level); a call has few dialogs
// (one per fork), found by their tags in insertion order. Each entry carries a hash of its
// dialog's tags, so a search reads only the dialog it finds: reading each fork's Dialog to
// compare its tags cost a cache miss per fork (5% of the busy hour's wall time was in find).
// Nothing iterates the table in an order anyone sees, and a Dialog's address stays put until it
// is removed.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <absl/container/inlined_vector.h>

#include "sim/core/lookup_map.hpp"
#include "sim/sip/dialog/dialog.hpp"
#include "sim/sip/dialog/dialog_id.hpp"
#include "sim/sip/message.hpp"

namespace sip {

class DialogTable {
 public:
  // Adding a second dialog with an id already present is a program bug: the local tag is ours
  // and unique (§19.3).
  Dialog& insert(Dialog&& dialog);
  Dialog& insert(const Dialog& dialog) { return insert(Dialog(dialog)); }
  Dialog* find(DialogIdView id);
  const Dialog* find(DialogIdView id) const;
  // One dialog of a call, with the hash of its tags (tags_hash(local, remote)).
  struct CallDialog {
    std::uint64_t tags_hash = 0;
    std::unique_ptr<Dialog> dialog;
  };
  static std::uint64_t tags_hash(std::string_view local_tag, std::string_view remote_tag);
  // Every dialog of one Call-ID, in insertion order; empty when it has none. Valid until the
  // next insert or removal. One lookup for all of a call's forks, where find() costs one each.
  std::span<const CallDialog> dialogs_of_call(std::string_view call_id) const;

  // §12.2.2: the live dialog a received request belongs to (To tag = local tag, From tag =
  // remote tag). nullptr for a request without To tag (outside any dialog), and for one naming
  // no live dialog: the UAS then answers 481 (Call/Transaction Does Not Exist).
  Dialog* match_request(const Message& request);
  // The live dialog a received response belongs to (From tag = local tag, To tag = remote
  // tag). A response to an INVITE with a To tag not seen before matches nothing: it is a fork,
  // and DialogSet creates its dialog.
  Dialog* match_response(const Message& response);

  // Drops Terminated dialogs; returns how many. Invalidates pointers to them only.
  std::size_t remove_terminated();
  // The same for one Call-ID's dialogs only: what a call's end needs, in O(log n) instead of
  // a scan of every dialog of a busy user agent.
  std::size_t remove_terminated(std::string_view call_id);
  std::size_t size() const { return size_; }

 private:
  // In the table's slot for up to three forks (the busy hour's three endpoints), so a search
  // reads the slot and the dialog it finds, not a vector's block besides.
  using CallDialogs = absl::InlinedVector<CallDialog, 3>;

  Dialog* find_live(const std::optional<DialogIdView>& id);
  static std::size_t remove_terminated_of(CallDialogs& dialogs);

  sim::StringLookupMap<CallDialogs> calls_;  // by Call-ID
  std::size_t size_ = 0;
};

}  // namespace sip
