#include "sim/sip/dialog/dialog_table.hpp"

#include <optional>

#include "sim/core/check.hpp"

namespace sip {

Dialog& DialogTable::insert(Dialog dialog) {
  DialogId id = dialog.id();
  auto [position, inserted] = dialogs_.try_emplace(std::move(id), std::move(dialog));
  DRSIM_CHECK(inserted, "a dialog with this id already exists");
  return position->second;
}

Dialog* DialogTable::find(DialogIdView id) {
  auto position = dialogs_.find(id);
  return position == dialogs_.end() ? nullptr : &position->second;
}

Dialog* DialogTable::match_request(const Message& request) {
  return find_live(DialogIdView::of_received_request(request));
}

Dialog* DialogTable::match_response(const Message& response) {
  return find_live(DialogIdView::of_received_response(response));
}

std::size_t DialogTable::remove_terminated() {
  return std::erase_if(dialogs_, [](const auto& entry) { return entry.second.state() == Dialog::State::Terminated; });
}

std::size_t DialogTable::remove_terminated(std::string_view call_id) {
  std::size_t removed = 0;
  // A copy: `call_id` may view the key of a dialog this erases.
  const DialogId first{std::string(call_id), {}, {}};
  // Ids order by Call-ID first, and "" is the lowest tag: the call's dialogs start here.
  auto position = dialogs_.lower_bound(first);
  while (position != dialogs_.end() && position->first.call_id == first.call_id) {
    if (position->second.state() == Dialog::State::Terminated) {
      position = dialogs_.erase(position);
      ++removed;
    } else {
      ++position;
    }
  }
  return removed;
}

Dialog* DialogTable::find_live(const std::optional<DialogIdView>& id) {
  if (!id) return nullptr;
  Dialog* dialog = find(*id);
  return dialog != nullptr && dialog->state() != Dialog::State::Terminated ? dialog : nullptr;
}

}  // namespace sip
