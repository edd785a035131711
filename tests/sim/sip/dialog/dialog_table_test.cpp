#include "sim/sip/dialog/dialog_table.hpp"

#include <doctest/doctest.h>

#include <string>

#include "tests/sim/sip/dialog/dialog_messages.hpp"

using dialog_messages::parse;
using dialog_messages::request_from_sbc;
using sip::Dialog;
using sip::DialogTable;

namespace {

// The Microsoft proxy's table after answering the SBC's INVITE.
Dialog& add_microsoft_side_dialog(DialogTable& table) {
  auto dialog = Dialog::create_as_uas(parse(dialog_messages::kInviteFromSbc), parse(dialog_messages::kOkFromMicrosoft));
  REQUIRE(dialog.ok());
  return table.insert(std::move(dialog).value());
}

std::string with_tags(std::string text, std::string_view from_tag, std::string_view to_tag) {
  const auto replace = [&text](std::string_view from, std::string_view to) {
    const std::size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
  };
  replace(";tag=sbc-4f1a", from_tag);
  replace(";tag=ms-77d2", to_tag);
  return text;
}

}  // namespace

TEST_CASE("a request from the peer finds its dialog by To tag as local and From tag as remote") {
  DialogTable table;
  Dialog& dialog = add_microsoft_side_dialog(table);
  const std::string bye = request_from_sbc("BYE", 102);
  CHECK(table.match_request(parse(bye)) == &dialog);
  CHECK(table.match_request(parse(with_tags(bye, ";tag=other", ";tag=ms-77d2"))) == nullptr);
  CHECK(table.match_request(parse(with_tags(bye, ";tag=sbc-4f1a", ";tag=other"))) == nullptr);
  // No To tag: outside any dialog, never matched (a new INVITE, an OPTIONS ping).
  CHECK(table.match_request(parse(with_tags(bye, ";tag=sbc-4f1a", ""))) == nullptr);
  // Call-ID is compared exactly.
  std::string other_call = bye;
  other_call.replace(other_call.find("9b1c7e2a@"), 9, "9B1C7E2A@");
  CHECK(table.match_request(parse(other_call)) == nullptr);
}

TEST_CASE("a response to an in-dialog request finds the dialog by From tag as local and To tag as remote") {
  DialogTable table;
  Dialog& dialog = add_microsoft_side_dialog(table);
  const sip::Message bye = dialog.build_request(sip::Method::Bye);
  sip::Message ok = sip::make_response(bye, 200, "");
  CHECK(table.match_response(ok) == &dialog);
  // Seen from the other end, the same message names a different dialog.
  CHECK(table.match_request(bye) == nullptr);
  dialog.on_response_received(ok);
  CHECK(dialog.state() == Dialog::State::Terminated);
  CHECK(table.match_response(ok) == nullptr);
}

TEST_CASE("a terminated dialog matches nothing and is removed on request") {
  DialogTable table;
  Dialog& dialog = add_microsoft_side_dialog(table);
  const auto bye = parse(request_from_sbc("BYE", 102));
  REQUIRE(table.match_request(bye) == &dialog);
  CHECK(dialog.on_request_received(bye) == Dialog::CSeqOrder::InOrder);
  CHECK(table.match_request(bye) == nullptr);  // a second BYE would be answered 481 (§12.2.2)
  CHECK(table.find(dialog.id()) == &dialog);
  CHECK(table.remove_terminated() == 1);
  CHECK(table.size() == 0);
}

TEST_CASE("removing one Call-ID's terminated dialogs leaves every other dialog") {
  DialogTable table;
  Dialog& dialog = add_microsoft_side_dialog(table);
  const std::string call_id = dialog.id().call_id;
  // Another call's dialog, terminated too: only a whole-table sweep removes it.
  std::string other_invite(dialog_messages::kInviteFromSbc);
  std::string other_ok(dialog_messages::kOkFromMicrosoft);
  for (std::string* text : {&other_invite, &other_ok}) text->replace(text->find(call_id), call_id.size(), "other-call");
  auto other = Dialog::create_as_uas(parse(other_invite), parse(other_ok));
  REQUIRE(other.ok());
  Dialog& other_dialog = table.insert(std::move(other).value());
  other_dialog.terminate();
  CHECK(table.remove_terminated(call_id) == 0);  // still live
  dialog.terminate();
  CHECK(table.remove_terminated(dialog.id().call_id) == 1);  // views the key it erases
  CHECK(table.size() == 1);
  CHECK(table.remove_terminated() == 1);
  CHECK(table.size() == 0);
}

TEST_CASE("a call's dialogs are listed in insertion order and no other call's with them") {
  DialogTable table;
  Dialog& first = add_microsoft_side_dialog(table);
  const std::string call_id = first.id().call_id;
  // A second fork of the same call (another local tag), and a dialog of another call.
  auto fork = Dialog::create_as_uas(parse(dialog_messages::kInviteFromSbc),
                                    parse(with_tags(std::string(dialog_messages::kOkFromMicrosoft), ";tag=sbc-4f1a",
                                                    ";tag=ms-second")));
  REQUIRE(fork.ok());
  Dialog& second = table.insert(std::move(fork).value());
  std::string other_invite(dialog_messages::kInviteFromSbc);
  std::string other_ok(dialog_messages::kOkFromMicrosoft);
  for (std::string* text : {&other_invite, &other_ok}) text->replace(text->find(call_id), call_id.size(), "other-call");
  auto other = Dialog::create_as_uas(parse(other_invite), parse(other_ok));
  REQUIRE(other.ok());
  table.insert(std::move(other).value());

  const auto dialogs = table.dialogs_of_call(call_id);
  REQUIRE(dialogs.size() == 2);
  CHECK(dialogs[0].dialog.get() == &first);
  CHECK(dialogs[1].dialog.get() == &second);
  CHECK(dialogs[0].tags_hash == DialogTable::tags_hash(first.id().local_tag, first.id().remote_tag));
  CHECK(dialogs[0].tags_hash != dialogs[1].tags_hash);
  CHECK(table.dialogs_of_call("no-such-call").empty());
  second.terminate();
  table.remove_terminated(call_id);
  REQUIRE(table.dialogs_of_call(call_id).size() == 1);
  CHECK(table.dialogs_of_call(call_id)[0].dialog.get() == &first);
}
