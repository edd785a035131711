// Inbound calls, carrier → SBC → Microsoft: the B2BUA relay of forked early dialogs, the 2xx,
// ACK, BYE and CANCEL, and the 2xx retransmission toward the UDP trunk (RFC 3261 §13.3.1.4).
#include <doctest/doctest.h>

#include "tests/models/sbc/sbc_test_bed.hpp"

using namespace sbc_test;

namespace {

const std::string kTeamsSdp =
    "v=0\r\no=- 6142 0 IN IP4 52.115.100.31\r\ns=session\r\nc=IN IP4 52.115.100.31\r\nt=0 0\r\n"
    "m=audio 52394 RTP/SAVP 0 8 101\r\n"
    "a=candidate:1 1 UDP 2130706431 52.115.100.31 52394 typ host\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n";

// Two endpoints ring (two early dialogs); the second answers.
std::vector<Step> two_forks_second_answers() {
  return {{100_ms, 180, "fork-a"}, {300_ms, 180, "fork-b"}, {2_s, 200, "fork-b", "", kTeamsSdp}};
}

}  // namespace

TEST_CASE("an inbound call relays two forked 180s as two early dialogs and the answer on the second") {
  SbcBed bed;
  bed.emea.invite_scripts = {two_forks_second_answers()};
  bed.carrier_calls(1_s, "+14255550100");
  bed.carrier.at(10_s, [&] { bed.carrier.hang_up(); });
  bed.simulation.run_until(11_s);

  // The INVITE reaches the proxy at 1.015 s (5 ms + 10 ms); its answers come back 10 ms later
  // and reach the carrier 5 ms after that.
  CHECK(bed.carrier.heard == std::vector<std::string>{"100 INVITE @1010ms", "180 INVITE @1130ms", "180 INVITE @1330ms",
                                                      "200 INVITE @3030ms", "200 BYE @10010ms"});
  // The SBC ACKs Microsoft's 200 when it arrives, and relays the carrier's BYE.
  CHECK(bed.emea.heard == std::vector<std::string>{"OPTIONS @90ms", "INVITE @1015ms", "ACK @3035ms", "BYE @10015ms"});

  // One carrier-side early dialog per Microsoft fork, and the 2xx on the answering fork's.
  const std::string_view first_fork = bed.carrier.message("180", 0).to().tag();
  const std::string_view second_fork = bed.carrier.message("180", 1).to().tag();
  CHECK_FALSE(first_fork.empty());
  CHECK(first_fork != second_fork);
  CHECK(bed.carrier.message("200 INVITE").to().tag() == second_fork);
  // The BYE toward Microsoft goes inside the dialog the answering fork made.
  const sip::Message& bye = bed.emea.message("BYE");
  CHECK(bye.to().tag() == "fork-b");
  CHECK(bye.request_uri().text() == "sip:sip.pstnhub.microsoft.com:5061;transport=tls");
}

TEST_CASE("the relayed INVITE follows the wire contract toward Microsoft") {
  SbcBed bed;
  bed.emea.invite_scripts = {two_forks_second_answers()};
  bed.carrier_calls(1_s, "+14255550100");
  bed.simulation.run_until(2_s);
  const sip::Message& invite = bed.emea.message("INVITE");
  CHECK(invite.request_uri().text() == "sip:+14255550100@sip.pstnhub.microsoft.com:5061;user=phone");
  CHECK(invite.top_via().transport() == "TLS");
  CHECK(invite.top_via().host() == "sbc1.contoso.com");
  CHECK(invite.top_via().port() == std::optional<std::uint16_t>(5061));
  CHECK(invite.contact(0).text() == "<sip:+12065550100@sbc1.contoso.com:5061;transport=tls>");
  CHECK(invite.from().uri().text() == "sip:+12065550100@sbc1.contoso.com;user=phone");
  CHECK(invite.to().uri().text() == "sip:+14255550100@sbc1.contoso.com;user=phone");
  CHECK(invite.call_id().ends_with("@sbc1.contoso.com"));
  CHECK(invite.max_forwards() == 69);  // the carrier's 70, one hop spent
  // The SDP is the carrier's, with the SBC as the media address and SRTP toward Microsoft.
  CHECK(invite.body().find("c=IN IP4 203.0.113.10\r\n") != std::string_view::npos);
  CHECK(invite.body().find("m=audio 30000 RTP/SAVP 0 8 101\r\n") != std::string_view::npos);
  CHECK(invite.body().find("\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:") != std::string_view::npos);
  // The call records can join the two legs and name the datacenter.
  const std::string carrier_leg(bed.carrier.message("100").call_id());
  const std::string microsoft_leg(invite.call_id());
  CHECK(bed.observer.reports ==
        std::vector<std::string>{"joined " + carrier_leg + " " + microsoft_leg, "datacenter " + microsoft_leg + " emea-ams"});
}

TEST_CASE("the 200 toward the carrier has the Microsoft SDP as plain RTP from the SBC, without ICE") {
  SbcBed bed;
  bed.emea.invite_scripts = {two_forks_second_answers()};
  bed.carrier_calls(1_s, "+14255550100");
  bed.simulation.run_until(4_s);
  const sip::Message& answer = bed.carrier.message("200 INVITE");
  CHECK(answer.body() ==
        "v=0\r\no=- 6142 0 IN IP4 203.0.113.10\r\ns=session\r\nc=IN IP4 203.0.113.10\r\nt=0 0\r\n"
        "m=audio 52394 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n");
  CHECK(answer.contact(0).text() == "<sip:203.0.113.10:5060>");
}

TEST_CASE("the 183 and the 200 toward the carrier carry the rewrite of each one's own SDP") {
  // The SBC reuses a leg's last rewrite when the same SDP comes again; a different one is
  // rewritten afresh.
  std::string other_sdp = kTeamsSdp;
  other_sdp.replace(other_sdp.find("m=audio 52394"), 13, "m=audio 52396");
  const std::string rewritten =
      "v=0\r\no=- 6142 0 IN IP4 203.0.113.10\r\ns=session\r\nc=IN IP4 203.0.113.10\r\nt=0 0\r\n"
      "m=audio 52394 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n";
  SbcBed bed;
  bed.emea.invite_scripts = {{{100_ms, 183, "fork-a", "", kTeamsSdp}, {200_ms, 183, "fork-b", "", kTeamsSdp},
                              {300_ms, 183, "fork-b", "", other_sdp}, {2_s, 200, "fork-b", "", kTeamsSdp}}};
  bed.carrier_calls(1_s, "+14255550100");
  bed.simulation.run_until(4_s);
  CHECK(bed.carrier.message("183", 0).body() == rewritten);
  CHECK(bed.carrier.message("183", 1).body() == rewritten);
  std::string other_rewritten = rewritten;
  other_rewritten.replace(other_rewritten.find("m=audio 52394"), 13, "m=audio 52396");
  CHECK(bed.carrier.message("183", 2).body() == other_rewritten);
  CHECK(bed.carrier.message("200 INVITE").body() == rewritten);
}

TEST_CASE("a hang-up from Microsoft reaches the carrier as a BYE") {
  SbcBed bed;
  bed.emea.invite_scripts = {two_forks_second_answers()};
  bed.carrier_calls(1_s, "+14255550100");
  bed.emea.at(20_s, [&] { bed.emea.hang_up(); });
  bed.simulation.run_until(21_s);
  CHECK(only(bed.carrier.heard, "BYE") == std::vector<std::string>{"BYE @20015ms"});
  CHECK(only(bed.emea.heard, "200 BYE") == std::vector<std::string>{"200 BYE @20020ms"});
  const sip::Message& bye = bed.carrier.message("BYE");
  CHECK(bye.request_uri().text() == "sip:198.51.100.20:5060");  // the carrier's Contact
  CHECK(bye.call_id() == bed.carrier.message("100").call_id());
  CHECK(bye.top_via().transport() == "UDP");
}

TEST_CASE("a CANCEL from the carrier is relayed once Microsoft rang and both legs end 487") {
  SbcBed bed;
  bed.emea.invite_scripts = {{{100_ms, 180, "fork-a"}}};
  bed.carrier_calls(1_s, "+14255550100");
  bed.carrier.at(2_s, [&] { bed.carrier.cancel(); });
  bed.simulation.run_until(3_s);
  CHECK(bed.carrier.heard == std::vector<std::string>{"100 INVITE @1010ms", "180 INVITE @1130ms", "200 CANCEL @2010ms",
                                                      "487 INVITE @2010ms"});
  CHECK(only(bed.emea.heard, "CANCEL") == std::vector<std::string>{"CANCEL @2015ms"});
  // Microsoft's 487 is back at 2.025 s and the SBC's INVITE transaction ACKs it at once (the
  // ACK ends in the proxy's transaction, which its core never sees).
  std::vector<sim::Time> sent_to_proxy;
  for (const net::PacketRecord& packet : bed.packets.packets)
    if (packet.kind == net::PacketKind::Data && packet.destination.ip == kEmeaIp && packet.sent > 2_s)
      sent_to_proxy.push_back(packet.sent);
  CHECK(sent_to_proxy == std::vector<sim::Time>{2005_ms, 2025_ms});  // the CANCEL, the ACK
  CHECK(bed.carrier.message("200 CANCEL").to().tag() == bed.carrier.message("487").to().tag());
}

TEST_CASE("a CANCEL before Microsoft's first provisional waits for it") {
  BedOptions options;
  options.proxy_timers.trying_delay = 1_h;  // the proxy sends no 100 Trying of its own
  SbcBed bed(options);
  bed.emea.invite_scripts = {{{1_s, 180, "fork-a"}}};
  bed.carrier_calls(1_s, "+14255550100");
  bed.carrier.at(1500_ms, [&] { bed.carrier.cancel(); });
  bed.simulation.run_until(3_s);
  CHECK(only(bed.carrier.heard, "487") == std::vector<std::string>{"487 INVITE @1510ms"});
  CHECK(only(bed.carrier.heard, "180").empty());
  // §9.1: the 180 leaves the proxy at 2.015 s and reaches the SBC at 2.025 s: the CANCEL goes then.
  CHECK(only(bed.emea.heard, "CANCEL") == std::vector<std::string>{"CANCEL @2035ms"});
}

TEST_CASE("the 200 toward the carrier is retransmitted until its ACK and the call ends without one") {
  SbcBed bed;
  bed.carrier.ack_answers = false;
  bed.emea.invite_scripts = {two_forks_second_answers()};
  bed.carrier_calls(1_s, "+14255550100");
  bed.simulation.run_until(40_s);
  // §13.3.1.4: sent at 3.025 s, again after 0.5, 1, 2, 4, 4... s (T1 doubling up to T2).
  const std::vector<std::string> answers = only(bed.carrier.heard, "200 INVITE");
  REQUIRE(answers.size() >= 5);
  CHECK(std::vector<std::string>(answers.begin(), answers.begin() + 5) ==
        std::vector<std::string>{"200 INVITE @3030ms", "200 INVITE @3530ms", "200 INVITE @4530ms", "200 INVITE @6530ms",
                                 "200 INVITE @10530ms"});
  // No ACK within 64*T1 = 32 s: the session is ended on both legs.
  CHECK(only(bed.carrier.heard, "BYE") == std::vector<std::string>{"BYE @35030ms"});
  CHECK(only(bed.emea.heard, "BYE") == std::vector<std::string>{"BYE @35035ms"});
  CHECK(bed.sbc.calls_in_progress() == 0);
}

TEST_CASE("a finished call is forgotten once its INVITE transactions are over") {
  SbcBed bed;
  bed.emea.invite_scripts = {two_forks_second_answers()};
  bed.carrier_calls(1_s, "+14255550100");
  bed.carrier.at(5_s, [&] { bed.carrier.hang_up(); });
  bed.simulation.run_until(6_s);
  CHECK(bed.sbc.calls_in_progress() == 1);  // the carrier's INVITE transaction waits out Timer L
  bed.simulation.run_until(40_s);
  CHECK(bed.sbc.calls_in_progress() == 0);
}

TEST_CASE("a caller number the PSTN asserts in P-Asserted-Identity becomes the From toward Microsoft") {
  SbcBed bed;
  bed.emea.invite_scripts = {{{100_ms, 180, "fork-a"}}};
  bed.carrier.at(1_s, [&] {
    sip::Message invite = bed.carrier.invite("sip:+14255550100@203.0.113.10:5060;user=phone",
                                             "<sip:anonymous@198.51.100.20>", "<sip:+14255550100@203.0.113.10;user=phone>",
                                             SbcBed::kCarrierSdp);
    invite.add_header("P-Asserted-Identity", "<sip:+12065550199@198.51.100.20;user=phone>");
    bed.carrier.send_invite(std::move(invite), bed.carrier.endpoint->datagram_flow(kCarrierSip, kSbcTrunk));
  });
  bed.simulation.run_until(2_s);
  const sip::Message& invite = bed.emea.message("INVITE");
  CHECK(invite.from().uri().text() == "sip:+12065550199@sbc1.contoso.com;user=phone");
  CHECK(invite.contact(0).uri().user() == "+12065550199");
}

TEST_CASE("requests inside an inbound call go back to the address the call came from") {
  BedOptions options;
  // The configured trunk is another carrier: the call from carrier1 still gets its BYE.
  options.adjust = [](sbc::SbcSettings& settings) { settings.trunk = net::SocketAddress{ip("198.51.100.99"), 5060}; };
  SbcBed bed(options);
  bed.emea.invite_scripts = {two_forks_second_answers()};
  bed.carrier_calls(1_s, "+14255550100");
  bed.emea.at(20_s, [&] { bed.emea.hang_up(); });
  bed.simulation.run_until(21_s);
  CHECK(only(bed.carrier.heard, "BYE") == std::vector<std::string>{"BYE @20015ms"});
}

TEST_CASE("a session refresh from Microsoft is answered by the SBC with the SDP it offered") {
  SbcBed bed;
  bed.emea.invite_scripts = {two_forks_second_answers()};
  bed.carrier_calls(1_s, "+14255550100");
  bed.emea.at(5_s, [&] { bed.emea.send_in_dialog(sip::Method::Invite); });
  bed.emea.at(6_s, [&] { bed.emea.send_in_dialog(sip::Method::Update); });
  bed.emea.at(7_s, [&] { bed.emea.send_in_dialog(sip::Method::Refer); });
  bed.simulation.run_until(8_s);
  CHECK(only(bed.emea.heard, "200 INVITE") == std::vector<std::string>{"200 INVITE @5020ms"});
  CHECK(bed.emea.message("200 INVITE").body() == bed.emea.message("INVITE").body());
  CHECK(only(bed.emea.heard, "200 UPDATE") == std::vector<std::string>{"200 UPDATE @6020ms"});
  CHECK(bed.emea.message("200 UPDATE").body().empty());
  CHECK(only(bed.emea.heard, "501 REFER") == std::vector<std::string>{"501 REFER @7020ms"});
  // Nothing of it reaches the carrier.
  CHECK(bed.carrier.heard.size() == 4);
}

TEST_CASE("a media bypass SBC offers Microsoft an ICE-lite host candidate of its own") {
  BedOptions options;
  options.adjust = [](sbc::SbcSettings& settings) { settings.media_bypass = true; };
  SbcBed bed(options);
  bed.emea.invite_scripts = {{{100_ms, 180, "fork-a"}}};
  bed.carrier_calls(1_s, "+14255550100");
  bed.simulation.run_until(2_s);
  const std::string_view body = bed.emea.message("INVITE").body();
  CHECK(body.find("a=ice-lite\r\n") != std::string_view::npos);
  CHECK(body.find("a=candidate:1 1 UDP 2130706431 203.0.113.10 30000 typ host\r\n") != std::string_view::npos);
}
