#include "sim/sip/dialog/dialog_set.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/sip/serializer.hpp"
#include "tests/sim/sip/dialog/dialog_messages.hpp"

using dialog_messages::parse;
using sip::Dialog;
using sip::DialogSet;
using Outcome = sip::DialogSet::Outcome;

namespace {

// The Microsoft proxy forks the SBC's INVITE to a Teams user's desktop, mobile and desk phone;
// each endpoint answers with its own To tag and Contact (spec/direct-routing.md "Forking").
sip::Message from_endpoint(std::string_view status_line, std::string_view endpoint) {
  const std::string contact =
      "<sip:sip-du-a-us.pstnhub.microsoft.com:5061;transport=tls;x-endpoint=" + std::string(endpoint) + ">";
  return parse(dialog_messages::response_to_sbc(status_line, "tag-" + std::string(endpoint), contact,
                                                dialog_messages::kMicrosoftRecordRoute));
}

struct ForkedCall {
  sip::DialogTable table;
  DialogSet set{table, parse(dialog_messages::kInviteFromSbcAsSent)};

  void ring_three_endpoints() {
    const auto trying = parse(dialog_messages::response_to_sbc("SIP/2.0 100 Trying", "", "", ""));
    REQUIRE(set.on_response_received(trying).outcome == Outcome::NoDialog);
    for (std::string_view endpoint : {"desktop", "mobile", "phone"}) {
      REQUIRE(set.on_response_received(from_endpoint("SIP/2.0 180 Ringing", endpoint)).outcome ==
              Outcome::EarlyDialogCreated);
    }
  }
};

std::vector<std::string> remote_tags(const std::vector<Dialog*>& dialogs) {
  std::vector<std::string> tags;
  for (const Dialog* dialog : dialogs) tags.push_back(dialog->id().remote_tag);
  return tags;
}

std::vector<Dialog::State> states(const std::vector<Dialog*>& dialogs) {
  std::vector<Dialog::State> out;
  for (const Dialog* dialog : dialogs) out.push_back(dialog->state());
  return out;
}

}  // namespace

TEST_CASE("three 180s with three To tags make three early dialogs") {
  ForkedCall call;
  call.ring_three_endpoints();
  const std::vector<Dialog*> dialogs = call.set.dialogs();
  CHECK(remote_tags(dialogs) == std::vector<std::string>{"tag-desktop", "tag-mobile", "tag-phone"});
  CHECK(states(dialogs) == std::vector<Dialog::State>(3, Dialog::State::Early));
  CHECK(call.table.size() == 3);
  CHECK(call.set.confirmed_dialog() == nullptr);
  // Each fork has its own remote target and the shared route set.
  CHECK(dialogs[1]->remote_target() == "sip:sip-du-a-us.pstnhub.microsoft.com:5061;transport=tls;x-endpoint=mobile");
  CHECK(dialogs[1]->id() == sip::DialogId{"9b1c7e2a@sbc1.contoso.com", "sbc-4f1a", "tag-mobile"});
  CHECK(dialogs[2]->next_hop().host() == "proxysbc.contoso.com");
}

TEST_CASE("a repeated 180 on a fork updates it and creates nothing") {
  ForkedCall call;
  call.ring_three_endpoints();
  const DialogSet::Event event =
      call.set.on_response_received(from_endpoint("SIP/2.0 183 Session Progress", "desktop"));
  CHECK(event.outcome == Outcome::EarlyDialogUpdated);
  REQUIRE(event.dialog != nullptr);
  CHECK(event.dialog->id().remote_tag == "tag-desktop");
  CHECK(call.table.size() == 3);
}

TEST_CASE("the 200 from one fork confirms it and the others end with the INVITE transaction") {
  ForkedCall call;
  call.ring_three_endpoints();
  const DialogSet::Event answered = call.set.on_response_received(from_endpoint("SIP/2.0 200 OK", "mobile"));
  CHECK(answered.outcome == Outcome::DialogConfirmed);
  REQUIRE(answered.dialog == call.set.confirmed_dialog());
  CHECK(answered.dialog->id().remote_tag == "tag-mobile");
  // §13.2.2.4: the other forks stay early until the transaction ends.
  CHECK(states(call.set.dialogs()) ==
        std::vector<Dialog::State>{Dialog::State::Early, Dialog::State::Confirmed, Dialog::State::Early});
  call.set.on_invite_transaction_ended();
  CHECK(states(call.set.dialogs()) ==
        std::vector<Dialog::State>{Dialog::State::Terminated, Dialog::State::Confirmed, Dialog::State::Terminated});
  CHECK(call.table.remove_terminated() == 2);
  CHECK(remote_tags(call.set.dialogs()) == std::vector<std::string>{"tag-mobile"});
}

TEST_CASE("a retransmitted 200 of the confirmed fork is reported as repeated") {
  ForkedCall call;
  call.ring_three_endpoints();
  REQUIRE(call.set.on_response_received(from_endpoint("SIP/2.0 200 OK", "mobile")).outcome == Outcome::DialogConfirmed);
  const DialogSet::Event again = call.set.on_response_received(from_endpoint("SIP/2.0 200 OK", "mobile"));
  CHECK(again.outcome == Outcome::Repeated2xx);
  CHECK(again.dialog == call.set.confirmed_dialog());
}

TEST_CASE("a second 200 from another fork is reported so the UAC can ACK it and then BYE it") {
  ForkedCall call;
  call.ring_three_endpoints();
  REQUIRE(call.set.on_response_received(from_endpoint("SIP/2.0 200 OK", "mobile")).outcome == Outcome::DialogConfirmed);
  const DialogSet::Event extra = call.set.on_response_received(from_endpoint("SIP/2.0 200 OK", "desktop"));
  CHECK(extra.outcome == Outcome::Additional2xx);
  REQUIRE(extra.dialog != nullptr);
  CHECK(extra.dialog->state() == Dialog::State::Confirmed);
  CHECK(call.set.confirmed_dialog()->id().remote_tag == "tag-mobile");
  // The ACK reuses the INVITE's CSeq; the BYE takes the next one, on the desktop fork's target.
  CHECK(sip::serialize(extra.dialog->build_request(sip::Method::Ack)) ==
        "ACK sip:sip-du-a-us.pstnhub.microsoft.com:5061;transport=tls;x-endpoint=desktop SIP/2.0\r\n"
        "Route: <sip:proxysbc.contoso.com:5061;transport=tls;lr>\r\n"
        "Route: <sip:sip-du-a-us.pstnhub.microsoft.com:5061;transport=tls;lr>\r\n"
        "Max-Forwards: 70\r\n"
        "From: \"Alice Smith\" <sip:+14255550123@sbc1.contoso.com;user=phone>;tag=sbc-4f1a\r\n"
        "To: <sip:+18005550100@sip.pstnhub.microsoft.com;user=phone>;tag=tag-desktop\r\n"
        "Call-ID: 9b1c7e2a@sbc1.contoso.com\r\n"
        "CSeq: 1 ACK\r\n"
        "Content-Length: 0\r\n"
        "\r\n");
  const sip::Message bye = extra.dialog->build_request(sip::Method::Bye);
  CHECK(bye.cseq().number == 2);
  CHECK(bye.to().tag() == "tag-desktop");
  // The phone fork is still early and ends with the transaction.
  call.set.on_invite_transaction_ended();
  CHECK(states(call.set.dialogs()) ==
        std::vector<Dialog::State>{Dialog::State::Confirmed, Dialog::State::Confirmed, Dialog::State::Terminated});
}

TEST_CASE("a 200 with a To tag never seen in a 1xx makes a confirmed dialog at once") {
  ForkedCall call;
  const DialogSet::Event answered = call.set.on_response_received(from_endpoint("SIP/2.0 200 OK", "desktop"));
  CHECK(answered.outcome == Outcome::DialogConfirmed);
  REQUIRE(answered.dialog != nullptr);
  CHECK(answered.dialog->state() == Dialog::State::Confirmed);
  CHECK(answered.dialog->route_set().size() == 2);
}

TEST_CASE("a final error response ends every early fork") {
  ForkedCall call;
  call.ring_three_endpoints();
  const DialogSet::Event failed = call.set.on_response_received(
      parse(dialog_messages::response_to_sbc("SIP/2.0 480 Temporarily Unavailable", "tag-desktop", "", "")));
  CHECK(failed.outcome == Outcome::Failed);
  CHECK(states(call.set.dialogs()) == std::vector<Dialog::State>(3, Dialog::State::Terminated));
  // A late 180 for a terminated fork changes nothing.
  CHECK(call.set.on_response_received(from_endpoint("SIP/2.0 180 Ringing", "phone")).outcome == Outcome::NoDialog);
}

TEST_CASE("a 1xx without To tag and an unusable 2xx create no dialog") {
  ForkedCall call;
  const auto untagged = parse(dialog_messages::response_to_sbc("SIP/2.0 180 Ringing", "", "", ""));
  CHECK(call.set.on_response_received(untagged).outcome == Outcome::NoDialog);
  const DialogSet::Event unusable =
      call.set.on_response_received(parse(dialog_messages::response_to_sbc("SIP/2.0 200 OK", "tag-x", "", "")));
  CHECK(unusable.outcome == Outcome::Unusable);
  CHECK(unusable.problem == "dialog-creating response without Contact (§12.1.1)");
  CHECK(call.table.size() == 0);
}

TEST_CASE("a request from a ringing fork finds its early dialog in the table") {
  ForkedCall call;
  call.ring_three_endpoints();
  // The mobile endpoint sends an UPDATE in its early dialog: From carries its tag.
  const auto update = parse(
      "UPDATE sip:+14255550123@sbc1.contoso.com:5061;transport=tls SIP/2.0\r\n"
      "Via: SIP/2.0/TLS sip-du-a-us.pstnhub.microsoft.com:5061;branch=z9hG4bKup1\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:+18005550100@sip.pstnhub.microsoft.com;user=phone>;tag=tag-mobile\r\n"
      "To: \"Alice Smith\" <sip:+14255550123@sbc1.contoso.com;user=phone>;tag=sbc-4f1a\r\n"
      "Call-ID: 9b1c7e2a@sbc1.contoso.com\r\n"
      "CSeq: 7 UPDATE\r\n"
      "Contact: <sip:sip-du-b-us.pstnhub.microsoft.com:5061;transport=tls>\r\n"
      "Content-Length: 0\r\n\r\n");
  Dialog* dialog = call.table.match_request(update);
  REQUIRE(dialog != nullptr);
  CHECK(dialog == call.set.dialogs()[1]);
  CHECK(dialog->on_request_received(update) == Dialog::CSeqOrder::InOrder);
  CHECK(dialog->remote_cseq() == std::optional<std::uint32_t>(7));
  CHECK(dialog->remote_target() == "sip:sip-du-b-us.pstnhub.microsoft.com:5061;transport=tls");
}
