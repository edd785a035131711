#include "sim/sip/dialog/dialog_set.hpp"

#include <utility>

#include "sim/core/check.hpp"

namespace sip {

DialogSet::DialogSet(DialogTable& table, Message invite) : table_(table), invite_(std::move(invite)) {
  DRSIM_CHECK(invite_.is_request() && invite_.method() == Method::Invite, "a DialogSet needs the INVITE sent");
}

DialogSet::Event DialogSet::on_response_received(const Message& response) {
  const int code = response.status_code();
  if (code >= 300) {
    terminate_early_dialogs();  // §12.3
    return Event{Outcome::Failed, nullptr, {}};
  }
  if (code == 100 || !response.to().has_tag()) return Event{};
  Dialog* dialog = table_.find(id_for(response.to().tag()));
  if (dialog == nullptr) return on_new_tag(response);
  if (dialog->state() == Dialog::State::Terminated) return Event{};
  return on_known_tag(*dialog, response);
}

DialogSet::Event DialogSet::on_new_tag(const Message& response) {
  auto created = Dialog::create_as_uac(invite_, response);
  if (!created.ok()) return Event{Outcome::Unusable, nullptr, created.error()};
  Dialog& dialog = table_.insert(std::move(created).value());
  remote_tags_.push_back(dialog.id().remote_tag);
  if (dialog.state() == Dialog::State::Early) return Event{Outcome::EarlyDialogCreated, &dialog, {}};
  // §13.2.2.4: a 2xx with a new tag constructs a new dialog in the confirmed state.
  if (confirmed_remote_tag_) return Event{Outcome::Additional2xx, &dialog, {}};
  confirmed_remote_tag_ = dialog.id().remote_tag;
  return Event{Outcome::DialogConfirmed, &dialog, {}};
}

DialogSet::Event DialogSet::on_known_tag(Dialog& dialog, const Message& response) {
  if (response.status_code() < 200) {
    if (dialog.state() != Dialog::State::Early) return Event{};  // a late 1xx changes nothing
    dialog.on_response_received(response);
    return Event{Outcome::EarlyDialogUpdated, &dialog, {}};
  }
  if (confirmed_remote_tag_ == dialog.id().remote_tag) return Event{Outcome::Repeated2xx, &dialog, {}};
  // §13.2.2.4: a 2xx on an early dialog confirms it and recomputes its route set.
  dialog.on_response_received(response);
  if (confirmed_remote_tag_) return Event{Outcome::Additional2xx, &dialog, {}};
  confirmed_remote_tag_ = dialog.id().remote_tag;
  return Event{Outcome::DialogConfirmed, &dialog, {}};
}

void DialogSet::on_invite_transaction_ended() { terminate_early_dialogs(); }

Dialog* DialogSet::confirmed_dialog() const {
  return confirmed_remote_tag_ ? table_.find(id_for(*confirmed_remote_tag_)) : nullptr;
}

std::vector<Dialog*> DialogSet::dialogs() const {
  // The call's dialogs are looked up once and walked for each fork's tag: a lookup per fork
  // missed the cache on the Call-ID's hash node and key each time, and a call ends by walking
  // them long after it last touched them (Timer D, or Timer M after a 2xx, RFC 6026). The
  // entries' tag hashes spare reading the other forks' dialogs.
  const auto call_dialogs = table_.dialogs_of_call(invite_.call_id());
  const std::string_view local_tag = invite_.from().tag();
  std::vector<Dialog*> out;
  out.reserve(remote_tags_.size());
  for (const std::string& tag : remote_tags_) {
    const std::uint64_t hash = DialogTable::tags_hash(local_tag, tag);
    for (const DialogTable::CallDialog& entry : call_dialogs) {
      if (entry.tags_hash == hash && entry.dialog->id().remote_tag == tag &&
          entry.dialog->id().local_tag == local_tag) {
        out.push_back(entry.dialog.get());
        break;
      }
    }
  }
  return out;
}

DialogIdView DialogSet::id_for(std::string_view remote_tag) const {
  return DialogIdView{invite_.call_id(), invite_.from().tag(), remote_tag};
}

void DialogSet::terminate_early_dialogs() {
  for (Dialog* dialog : dialogs()) {
    if (dialog->state() == Dialog::State::Early) dialog->terminate();
  }
}

}  // namespace sip
