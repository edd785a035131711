#include "sim/sip/dialog/dialog.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "sim/sip/serializer.hpp"
#include "tests/sim/sip/dialog/dialog_messages.hpp"

using dialog_messages::parse;
using sip::Dialog;
using sip::Method;

namespace {

Dialog microsoft_side_dialog() {
  auto dialog = Dialog::create_as_uas(parse(dialog_messages::kInviteFromSbc), parse(dialog_messages::kOkFromMicrosoft));
  REQUIRE(dialog.ok());
  return std::move(dialog).value();
}

Dialog sbc_side_dialog(std::string_view record_route = dialog_messages::kMicrosoftRecordRoute) {
  const std::string ok = dialog_messages::response_to_sbc(
      "SIP/2.0 200 OK", "ms-77d2", "<sip:sip-du-a-us.pstnhub.microsoft.com:5061;transport=tls>", record_route);
  auto dialog = Dialog::create_as_uac(parse(dialog_messages::kInviteFromSbcAsSent), parse(ok));
  if (!dialog.ok()) FAIL(dialog.error());
  return std::move(dialog).value();
}

}  // namespace

TEST_CASE("the UAS route set is the INVITE's Record-Route in order and the remote target its Contact") {
  const Dialog dialog = microsoft_side_dialog();
  CHECK(dialog.state() == Dialog::State::Confirmed);
  CHECK(dialog.role() == Dialog::Role::Uas);
  CHECK(dialog.id() == sip::DialogId{"9b1c7e2a@sbc1.contoso.com", "ms-77d2", "sbc-4f1a"});
  CHECK(sip::to_string(dialog.id()) == "9b1c7e2a@sbc1.contoso.com;local=ms-77d2;remote=sbc-4f1a");
  CHECK(dialog.route_set() == std::vector<std::string_view>{"sip:proxysbc.contoso.com:5061;transport=tls;lr",
                                                       "sip:sbc1.contoso.com:5061;transport=tls;lr"});
  CHECK(dialog.remote_target() == "sip:+14255550123@sbc1.contoso.com:5061;transport=tls");
  CHECK(dialog.remote_cseq() == std::optional<std::uint32_t>(101));
  CHECK(!dialog.local_cseq().has_value());
  CHECK(dialog.local_uri() == "sip:+18005550100@sip.pstnhub.microsoft.com;user=phone");
  CHECK(dialog.remote_uri() == "sip:+14255550123@sbc1.contoso.com;user=phone");
  CHECK(!dialog.is_secure());
  // Direct Routing's next hop: the top Record-Route's FQDN.
  CHECK(dialog.next_hop().host() == "proxysbc.contoso.com");
  CHECK(dialog.next_hop().port() == std::optional<std::uint16_t>(5061));
}

TEST_CASE("the UAS BYE goes to the SBC Contact through both Record-Route hops with CSeq 1") {
  Dialog dialog = microsoft_side_dialog();
  const sip::Message bye = dialog.build_request(Method::Bye);
  CHECK(sip::serialize(bye) ==
        "BYE sip:+14255550123@sbc1.contoso.com:5061;transport=tls SIP/2.0\r\n"
        "Route: <sip:proxysbc.contoso.com:5061;transport=tls;lr>\r\n"
        "Route: <sip:sbc1.contoso.com:5061;transport=tls;lr>\r\n"
        "Max-Forwards: 70\r\n"
        "From: <sip:+18005550100@sip.pstnhub.microsoft.com;user=phone>;tag=ms-77d2\r\n"
        "To: \"Alice Smith\" <sip:+14255550123@sbc1.contoso.com;user=phone>;tag=sbc-4f1a\r\n"
        "Call-ID: 9b1c7e2a@sbc1.contoso.com\r\n"
        "CSeq: 1 BYE\r\n"
        "Content-Length: 0\r\n"
        "\r\n");
  CHECK(dialog.local_cseq() == std::optional<std::uint32_t>(1));
}

TEST_CASE("the UAC route set is the 2xx Record-Route reversed and the remote target its Contact") {
  const Dialog dialog = sbc_side_dialog();
  CHECK(dialog.state() == Dialog::State::Confirmed);
  CHECK(dialog.role() == Dialog::Role::Uac);
  CHECK(dialog.id() == sip::DialogId{"9b1c7e2a@sbc1.contoso.com", "sbc-4f1a", "ms-77d2"});
  CHECK(dialog.route_set() == std::vector<std::string_view>{"sip:proxysbc.contoso.com:5061;transport=tls;lr",
                                                       "sip:sip-du-a-us.pstnhub.microsoft.com:5061;transport=tls;lr"});
  CHECK(dialog.remote_target() == "sip:sip-du-a-us.pstnhub.microsoft.com:5061;transport=tls");
  CHECK(dialog.local_cseq() == std::optional<std::uint32_t>(1));
  CHECK(!dialog.remote_cseq().has_value());
  CHECK(dialog.next_hop().host() == "proxysbc.contoso.com");
}

TEST_CASE("the UAC BYE takes the next CSeq and the dialog's From and To with tags") {
  Dialog dialog = sbc_side_dialog();
  CHECK(sip::serialize(dialog.build_request(Method::Bye)) ==
        "BYE sip:sip-du-a-us.pstnhub.microsoft.com:5061;transport=tls SIP/2.0\r\n"
        "Route: <sip:proxysbc.contoso.com:5061;transport=tls;lr>\r\n"
        "Route: <sip:sip-du-a-us.pstnhub.microsoft.com:5061;transport=tls;lr>\r\n"
        "Max-Forwards: 70\r\n"
        "From: \"Alice Smith\" <sip:+14255550123@sbc1.contoso.com;user=phone>;tag=sbc-4f1a\r\n"
        "To: <sip:+18005550100@sip.pstnhub.microsoft.com;user=phone>;tag=ms-77d2\r\n"
        "Call-ID: 9b1c7e2a@sbc1.contoso.com\r\n"
        "CSeq: 2 BYE\r\n"
        "Content-Length: 0\r\n"
        "\r\n");
}

TEST_CASE("without Record-Route the request goes straight to the Contact with no Route header") {
  Dialog dialog = sbc_side_dialog("");
  CHECK(dialog.route_set().empty());
  CHECK(dialog.next_hop().host() == "sip-du-a-us.pstnhub.microsoft.com");
  const sip::Message bye = dialog.build_request(Method::Bye);
  CHECK(bye.request_uri().text() == "sip:sip-du-a-us.pstnhub.microsoft.com:5061;transport=tls");
  CHECK(!bye.header(sip::HeaderId::Route).has_value());
}

TEST_CASE("a strict first route becomes the Request-URI and the remote target the last Route") {
  // Reversed, the route set starts with the strict router p1 (no lr); its method parameter and
  // URI headers are not allowed in a Request-URI (§19.1.1) and are dropped.
  Dialog dialog = sbc_side_dialog(
      "<sip:p3.carrier.net;lr>, <sip:p2.carrier.net;lr>, "
      "<sip:p1.carrier.net:5060;method=INVITE;transport=tcp?Subject=x>");
  CHECK(dialog.next_hop().host() == "p1.carrier.net");
  CHECK(sip::serialize(dialog.build_request(Method::Bye)) ==
        "BYE sip:p1.carrier.net:5060;transport=tcp SIP/2.0\r\n"
        "Route: <sip:p2.carrier.net;lr>\r\n"
        "Route: <sip:p3.carrier.net;lr>\r\n"
        "Route: <sip:sip-du-a-us.pstnhub.microsoft.com:5061;transport=tls>\r\n"
        "Max-Forwards: 70\r\n"
        "From: \"Alice Smith\" <sip:+14255550123@sbc1.contoso.com;user=phone>;tag=sbc-4f1a\r\n"
        "To: <sip:+18005550100@sip.pstnhub.microsoft.com;user=phone>;tag=ms-77d2\r\n"
        "Call-ID: 9b1c7e2a@sbc1.contoso.com\r\n"
        "CSeq: 2 BYE\r\n"
        "Content-Length: 0\r\n"
        "\r\n");
}

TEST_CASE("each request takes the next local CSeq and the ACK reuses the last INVITE's") {
  Dialog dialog = sbc_side_dialog();
  CHECK(dialog.build_request(Method::Ack).cseq().number == 1);  // ACK for the initial 200
  CHECK(dialog.build_request(Method::Info).cseq().number == 2);
  CHECK(dialog.build_request(Method::Update).cseq().number == 3);
  const sip::Message reinvite = dialog.build_request(Method::Invite);
  CHECK(reinvite.cseq().number == 4);
  CHECK(reinvite.cseq().method == "INVITE");
  const sip::Message ack = dialog.build_request(Method::Ack);
  CHECK(ack.cseq().number == 4);
  CHECK(ack.cseq().method == "ACK");
  CHECK(dialog.build_request(Method::Refer).cseq().number == 5);
  CHECK(dialog.build_request(Method::Notify).cseq().number == 6);
  CHECK(dialog.build_request(Method::Bye).cseq().number == 7);
  CHECK(dialog.local_cseq() == std::optional<std::uint32_t>(7));
}

TEST_CASE("target refresh requests carry this side's Contact and others do not") {
  Dialog dialog = sbc_side_dialog();
  CHECK(dialog.build_request(Method::Invite).header(sip::HeaderId::Contact) ==
        std::optional<std::string_view>("<sip:+14255550123@sbc1.contoso.com:5061;transport=tls>"));
  CHECK(dialog.build_request(Method::Update).contact_count() == 1);
  CHECK(dialog.build_request(Method::Info).contact_count() == 0);
  CHECK(dialog.build_request(Method::Bye).contact_count() == 0);
}

TEST_CASE("a request with a CSeq below the remote CSeq is out of order and changes nothing") {
  Dialog dialog = microsoft_side_dialog();  // remote CSeq 101
  using dialog_messages::request_from_sbc;
  CHECK(dialog.on_request_received(parse(request_from_sbc("INFO", 103))) == Dialog::CSeqOrder::InOrder);
  CHECK(dialog.remote_cseq() == std::optional<std::uint32_t>(103));  // a gap is fine (§12.2.2)
  const auto late_reinvite = parse(request_from_sbc("INVITE", 102, dialog_messages::kNewSbcContact));
  CHECK(dialog.on_request_received(late_reinvite) == Dialog::CSeqOrder::OutOfOrder);  // the caller answers 500
  CHECK(dialog.remote_cseq() == std::optional<std::uint32_t>(103));
  CHECK(dialog.remote_target() == "sip:+14255550123@sbc1.contoso.com:5061;transport=tls");
  CHECK(dialog.state() == Dialog::State::Confirmed);
  // Only a lower number is out of order (§12.2.2); an equal one is not.
  CHECK(dialog.on_request_received(parse(request_from_sbc("INFO", 103))) == Dialog::CSeqOrder::InOrder);
  // The ACK for a 2xx repeats its INVITE's number: it is never out of order.
  CHECK(dialog.on_request_received(parse(request_from_sbc("ACK", 101))) == Dialog::CSeqOrder::InOrder);
  CHECK(dialog.remote_cseq() == std::optional<std::uint32_t>(103));
}

TEST_CASE("a re-INVITE with a new Contact moves the remote target and the next BYE goes there") {
  Dialog dialog = microsoft_side_dialog();
  // The dialog keeps its URIs in one block, rewritten when the target moves: the rest stays.
  const std::string local_uri(dialog.local_uri());
  const std::string remote_uri(dialog.remote_uri());
  const auto routes = dialog.route_set();
  const std::vector<std::string> route_set(routes.begin(), routes.end());
  using dialog_messages::request_from_sbc;
  const auto reinvite = parse(request_from_sbc("INVITE", 102, dialog_messages::kNewSbcContact));
  CHECK(dialog.on_request_received(reinvite) == Dialog::CSeqOrder::InOrder);
  CHECK(dialog.remote_target() == "sip:sbc2.contoso.com:5061;transport=tls");
  // Neither an UPDATE without Contact nor an INFO (not a target refresh) moves it again.
  CHECK(dialog.on_request_received(parse(request_from_sbc("UPDATE", 103))) == Dialog::CSeqOrder::InOrder);
  const auto info = parse(request_from_sbc("INFO", 104, "Contact: <sip:sbc3.contoso.com:5061;transport=tls>\r\n"));
  CHECK(dialog.on_request_received(info) == Dialog::CSeqOrder::InOrder);
  CHECK(dialog.remote_target() == "sip:sbc2.contoso.com:5061;transport=tls");
  // The route set never changes inside a dialog (§12.2).
  const sip::Message bye = dialog.build_request(Method::Bye);
  CHECK(bye.request_uri().text() == "sip:sbc2.contoso.com:5061;transport=tls");
  CHECK(dialog.next_hop().host() == "proxysbc.contoso.com");
  const auto routes_after = dialog.route_set();
  CHECK(std::vector<std::string>(routes_after.begin(), routes_after.end()) == route_set);
  CHECK_FALSE(route_set.empty());
  CHECK(dialog.local_uri() == local_uri);
  CHECK(dialog.remote_uri() == remote_uri);
  CHECK(bye.from().uri().text() == local_uri);
  CHECK(bye.to().uri().text() == remote_uri);
}

TEST_CASE("a 2xx to a re-INVITE this side sent moves the remote target") {
  Dialog dialog = sbc_side_dialog();
  (void)dialog.build_request(Method::Invite);  // CSeq 2
  const auto ok = parse(
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/TLS sbc1.contoso.com:5061;branch=z9hG4bKre2\r\n"
      "From: <sip:+14255550123@sbc1.contoso.com;user=phone>;tag=sbc-4f1a\r\n"
      "To: <sip:+18005550100@sip.pstnhub.microsoft.com;user=phone>;tag=ms-77d2\r\n"
      "Call-ID: 9b1c7e2a@sbc1.contoso.com\r\n"
      "CSeq: 2 INVITE\r\n"
      "Contact: <sip:sip-du-b-us.pstnhub.microsoft.com:5061;transport=tls>\r\n"
      "Content-Length: 0\r\n\r\n");
  dialog.on_response_received(ok);
  CHECK(dialog.state() == Dialog::State::Confirmed);
  CHECK(dialog.remote_target() == "sip:sip-du-b-us.pstnhub.microsoft.com:5061;transport=tls");
  CHECK(dialog.build_request(Method::Ack).cseq().number == 2);
}

TEST_CASE("a UAC early dialog is confirmed by the 2xx with its route set recomputed") {
  const auto invite = parse(dialog_messages::kInviteFromSbcAsSent);
  const auto ringing = parse(dialog_messages::response_to_sbc(
      "SIP/2.0 180 Ringing", "ms-77d2", "<sip:sip-du-a-us.pstnhub.microsoft.com:5061;transport=tls>",
      "<sip:sip-du-a-us.pstnhub.microsoft.com:5061;transport=tls;lr>"));
  auto created = Dialog::create_as_uac(invite, ringing);
  REQUIRE(created.ok());
  Dialog dialog = std::move(created).value();
  CHECK(dialog.state() == Dialog::State::Early);
  CHECK(dialog.route_set().size() == 1);
  dialog.on_response_received(parse(dialog_messages::response_to_sbc(
      "SIP/2.0 200 OK", "ms-77d2", "<sip:sip-du-b-us.pstnhub.microsoft.com:5061;transport=tls>",
      dialog_messages::kMicrosoftRecordRoute)));
  CHECK(dialog.state() == Dialog::State::Confirmed);
  CHECK(dialog.route_set() == std::vector<std::string_view>{"sip:proxysbc.contoso.com:5061;transport=tls;lr",
                                                       "sip:sip-du-a-us.pstnhub.microsoft.com:5061;transport=tls;lr"});
  CHECK(dialog.remote_target() == "sip:sip-du-b-us.pstnhub.microsoft.com:5061;transport=tls");
}

TEST_CASE("an early dialog ends on a non-2xx final response on either side") {
  const auto invite = parse(dialog_messages::kInviteFromSbcAsSent);
  const auto ringing = parse(dialog_messages::response_to_sbc(
      "SIP/2.0 180 Ringing", "ms-77d2", "<sip:sip-du-a-us.pstnhub.microsoft.com:5061;transport=tls>", ""));
  Dialog uac = Dialog::create_as_uac(invite, ringing).value();
  uac.on_response_received(parse(dialog_messages::response_to_sbc("SIP/2.0 486 Busy Here", "ms-77d2", "", "")));
  CHECK(uac.state() == Dialog::State::Terminated);

  const auto received_invite = parse(dialog_messages::kInviteFromSbc);
  const sip::Message sent_ringing = sip::make_response(received_invite, 180, "", "ms-77d2");
  Dialog uas = Dialog::create_as_uas(received_invite, sent_ringing).value();
  CHECK(uas.state() == Dialog::State::Early);
  uas.on_response_sent(sip::make_response(received_invite, 183, "", "ms-77d2"));
  CHECK(uas.state() == Dialog::State::Early);
  uas.on_response_sent(sip::make_response(received_invite, 480, "", "ms-77d2"));
  CHECK(uas.state() == Dialog::State::Terminated);
}

TEST_CASE("the UAS early dialog is confirmed when it sends the 2xx") {
  const auto received_invite = parse(dialog_messages::kInviteFromSbc);
  Dialog uas = Dialog::create_as_uas(received_invite, sip::make_response(received_invite, 180, "", "ms-77d2")).value();
  uas.on_response_sent(parse(dialog_messages::kOkFromMicrosoft));
  CHECK(uas.state() == Dialog::State::Confirmed);
}

TEST_CASE("a 481 or 408 to an in-dialog request and any final response to BYE end the dialog") {
  const auto response = [](std::string_view status_line, std::string_view cseq) {
    return parse(std::string(status_line) +
                 "\r\nVia: SIP/2.0/TLS sbc1.contoso.com:5061;branch=z9hG4bKx\r\n"
                 "From: <sip:+14255550123@sbc1.contoso.com;user=phone>;tag=sbc-4f1a\r\n"
                 "To: <sip:+18005550100@sip.pstnhub.microsoft.com;user=phone>;tag=ms-77d2\r\n"
                 "Call-ID: 9b1c7e2a@sbc1.contoso.com\r\n"
                 "CSeq: " + std::string(cseq) + "\r\nContent-Length: 0\r\n\r\n");
  };
  Dialog dialog = sbc_side_dialog();
  dialog.on_response_received(response("SIP/2.0 488 Not Acceptable Here", "2 INVITE"));
  CHECK(dialog.state() == Dialog::State::Confirmed);  // a failed re-INVITE keeps the call (§14.1)
  dialog.on_response_received(response("SIP/2.0 481 Call/Transaction Does Not Exist", "3 INFO"));
  CHECK(dialog.state() == Dialog::State::Terminated);

  Dialog timed_out = sbc_side_dialog();
  timed_out.on_response_received(response("SIP/2.0 408 Request Timeout", "2 UPDATE"));
  CHECK(timed_out.state() == Dialog::State::Terminated);

  Dialog hung_up = sbc_side_dialog();
  (void)hung_up.build_request(Method::Bye);
  CHECK(hung_up.state() == Dialog::State::Confirmed);  // until the BYE is answered
  hung_up.on_response_received(response("SIP/2.0 200 OK", "2 BYE"));
  CHECK(hung_up.state() == Dialog::State::Terminated);
}

TEST_CASE("a BYE from the peer ends the dialog") {
  Dialog dialog = microsoft_side_dialog();
  CHECK(dialog.on_request_received(parse(dialog_messages::request_from_sbc("BYE", 102))) == Dialog::CSeqOrder::InOrder);
  CHECK(dialog.state() == Dialog::State::Terminated);
}

TEST_CASE("a sips Request-URI makes the dialog secure") {
  std::string invite = dialog_messages::kInviteFromSbcAsSent;
  invite.replace(0, invite.find(" SIP/2.0"), "INVITE sips:+18005550100@sip.pstnhub.microsoft.com;user=phone");
  const std::string ok = dialog_messages::response_to_sbc("SIP/2.0 200 OK", "ms-77d2",
                                                          "<sips:sip-du-a-us.pstnhub.microsoft.com>", "");
  auto dialog = Dialog::create_as_uac(parse(invite), parse(ok));
  REQUIRE(dialog.ok());
  CHECK(dialog->is_secure());
  CHECK(!sbc_side_dialog().is_secure());
}

TEST_CASE("responses that cannot create a dialog are refused with the rule they break") {
  const auto invite = parse(dialog_messages::kInviteFromSbcAsSent);
  const std::string contact = "<sip:sip-du-a-us.pstnhub.microsoft.com:5061;transport=tls>";
  const auto trying = parse(dialog_messages::response_to_sbc("SIP/2.0 100 Trying", "ms-77d2", contact, ""));
  const auto untagged = parse(dialog_messages::response_to_sbc("SIP/2.0 180 Ringing", "", contact, ""));
  const auto no_contact = parse(dialog_messages::response_to_sbc("SIP/2.0 200 OK", "ms-77d2", "", ""));
  const auto bad_route =
      parse(dialog_messages::response_to_sbc("SIP/2.0 200 OK", "ms-77d2", contact, "<sip:p1.carrier.net;lr"));
  const auto busy = parse(dialog_messages::response_to_sbc("SIP/2.0 486 Busy Here", "ms-77d2", contact, ""));
  CHECK(Dialog::create_as_uac(invite, trying).error() == "only a 101-299 response creates a dialog (§12.1)");
  CHECK(Dialog::create_as_uac(invite, busy).error() == "only a 101-299 response creates a dialog (§12.1)");
  CHECK(Dialog::create_as_uac(invite, untagged).error() == "response without a To tag creates no dialog (§12.1)");
  CHECK(Dialog::create_as_uac(invite, no_contact).error() == "dialog-creating response without Contact (§12.1.1)");
  CHECK(Dialog::create_as_uac(invite, bad_route).error().starts_with("Record-Route: "));
}
