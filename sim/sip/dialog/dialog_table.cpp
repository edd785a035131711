#include "sim/sip/dialog/dialog_table.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include "sim/core/check.hpp"
#include "sim/core/lookup_map.hpp"

namespace sip {

std::uint64_t DialogTable::tags_hash(std::string_view local_tag, std::string_view remote_tag) {
  // Order matters (local, remote): the two tags of a dialog are not interchangeable.
  return sim::hash_lookup_key(local_tag) * 0x9e3779b97f4a7c15ULL ^ sim::hash_lookup_key(remote_tag);
}

Dialog& DialogTable::insert(Dialog&& dialog) {
  const std::uint64_t hash = tags_hash(dialog.id().local_tag, dialog.id().remote_tag);
  // One lookup of the Call-ID serves both the duplicate check and the insertion.
  CallDialogs& dialogs = calls_[dialog.id().call_id];
  for (const CallDialog& existing : dialogs) {
    if (existing.tags_hash != hash) continue;
    const DialogId& id = existing.dialog->id();
    DRSIM_CHECK(id.local_tag != dialog.id().local_tag || id.remote_tag != dialog.id().remote_tag,
                "a dialog with this id already exists");
  }
  dialogs.push_back(CallDialog{hash, std::make_unique<Dialog>(std::move(dialog))});
  ++size_;
  return *dialogs.back().dialog;
}

const Dialog* DialogTable::find(DialogIdView id) const {
  const auto call = calls_.find(id.call_id);
  if (call == calls_.end()) return nullptr;
  const std::uint64_t hash = tags_hash(id.local_tag, id.remote_tag);
  for (const CallDialog& entry : call->second) {
    if (entry.tags_hash != hash) continue;
    const DialogId& candidate = entry.dialog->id();
    if (candidate.local_tag == id.local_tag && candidate.remote_tag == id.remote_tag) return entry.dialog.get();
  }
  return nullptr;
}

std::span<const DialogTable::CallDialog> DialogTable::dialogs_of_call(std::string_view call_id) const {
  const auto call = calls_.find(call_id);
  if (call == calls_.end()) return {};
  return call->second;
}

Dialog* DialogTable::find(DialogIdView id) { return const_cast<Dialog*>(std::as_const(*this).find(id)); }

Dialog* DialogTable::match_request(const Message& request) {
  return find_live(DialogIdView::of_received_request(request));
}

Dialog* DialogTable::match_response(const Message& response) {
  return find_live(DialogIdView::of_received_response(response));
}

std::size_t DialogTable::remove_terminated_of(CallDialogs& dialogs) {
  const auto kept_end = std::remove_if(dialogs.begin(), dialogs.end(), [](const CallDialog& entry) {
    return entry.dialog->state() == Dialog::State::Terminated;
  });
  const auto removed = static_cast<std::size_t>(dialogs.end() - kept_end);
  dialogs.erase(kept_end, dialogs.end());
  return removed;
}

std::size_t DialogTable::remove_terminated() {
  std::size_t removed = 0;
  for (auto call = calls_.begin(); call != calls_.end();) {
    removed += remove_terminated_of(call->second);
    if (call->second.empty()) {
      calls_.erase(call++);  // erasing leaves the other iterators valid
    } else {
      ++call;
    }
  }
  size_ -= removed;
  return removed;
}

std::size_t DialogTable::remove_terminated(std::string_view call_id) {
  const auto call = calls_.find(call_id);
  if (call == calls_.end()) return 0;
  // `call_id` may view the key or a dialog this erases: it is not read after this point.
  const std::size_t removed = remove_terminated_of(call->second);
  if (call->second.empty()) calls_.erase(call);
  size_ -= removed;
  return removed;
}

Dialog* DialogTable::find_live(const std::optional<DialogIdView>& id) {
  if (!id) return nullptr;
  Dialog* dialog = find(*id);
  return dialog != nullptr && dialog->state() != Dialog::State::Terminated ? dialog : nullptr;
}

}  // namespace sip
