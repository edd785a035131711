// Outbound calls, Microsoft → SBC → carrier: the proxy opens the TLS connection (the SBC is the
// TLS server), the SBC relays the call to its UDP trunk with the SDP shrunk to fit the MTU.
#include <doctest/doctest.h>

#include "tests/models/sbc/sbc_test_bed.hpp"

using namespace sbc_test;

namespace {

// A media-bypass offer as Teams clients make them: many candidates and codecs, so the INVITE
// carrying it is larger than a 1500-byte MTU.
std::string large_teams_offer() {
  std::string sdp =
      "v=0\r\no=- 6142 0 IN IP4 52.115.100.31\r\ns=session\r\nc=IN IP4 52.115.100.31\r\nb=CT:10000000\r\nt=0 0\r\n"
      "m=audio 52394 RTP/SAVP 104 103 9 111 18 0 8 97 13 118 101\r\n"
      "a=ice-ufrag:Hk9V\r\na=ice-pwd:j2Qx7pWm4Zs8Lc1Ny6Rb3Tf5\r\n";
  for (int candidate = 1; candidate <= 16; ++candidate) {
    sdp += "a=candidate:" + std::to_string(candidate) + " 1 UDP " + std::to_string(2130706431 - candidate) +
           " 10.0.12." + std::to_string(candidate) + " " + std::to_string(50000 + candidate) +
           " typ srflx raddr 192.168.1.4 rport 50010\r\n";
  }
  sdp +=
      "a=rtpmap:104 SILK/16000\r\na=fmtp:104 useinbandfec=1; usedtx=0\r\na=rtpmap:103 SILK/8000\r\n"
      "a=rtpmap:9 G722/8000\r\na=rtpmap:111 SIREN/16000\r\na=fmtp:111 bitrate=16000\r\na=rtpmap:18 G729/8000\r\n"
      "a=fmtp:18 annexb=no\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:97 RED/8000\r\n"
      "a=rtpmap:13 CN/8000\r\na=rtpmap:118 CN/16000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"
      "a=rtcp-mux\r\na=ptime:20\r\n";
  return sdp;
}

const std::string kCarrierAnswer =
    "v=0\r\no=carrier 9 0 IN IP4 198.51.100.20\r\ns=-\r\nc=IN IP4 198.51.100.20\r\nt=0 0\r\n"
    "m=audio 30002 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n";

// Microsoft's proxy calls +12065550100 through the SBC at 1 s over a connection it opens.
void microsoft_calls(SbcBed& bed, std::string sdp = large_teams_offer()) {
  bed.emea.at(1_s, [&bed, sdp] {
    bed.connect_to_sbc(bed.emea, [&bed, sdp](net::ConnectionId connection) {
      bed.emea.send_invite(bed.emea.invite("sip:+12065550100@sbc1.contoso.com:5061;user=phone",
                                           "<sip:+14255550100@sip.pstnhub.microsoft.com;user=phone>",
                                           "<sip:+12065550100@sbc1.contoso.com;user=phone>", sdp),
                           bed.emea.endpoint->stream_flow(connection));
    });
  });
}

std::vector<net::PacketRecord> datagrams_to_carrier(const SbcBed& bed) {
  std::vector<net::PacketRecord> found;
  for (const net::PacketRecord& packet : bed.packets.packets)
    if (packet.kind == net::PacketKind::Datagram && packet.destination == kCarrierSip) found.push_back(packet);
  return found;
}

}  // namespace

TEST_CASE("an outbound call is relayed to the carrier and its answers back to Microsoft") {
  SbcBed bed;
  bed.carrier.invite_scripts = {{{1_s, 180, "pstn"}, {3_s, 200, "pstn", "", kCarrierAnswer}}};
  microsoft_calls(bed);
  bed.emea.at(6_s, [&] { bed.emea.hang_up(); });
  bed.simulation.run_until(7_s);
  // The proxy connects at 1 s: TLS is up at 1.060 s and its INVITE reaches the SBC at 1.070 s.
  CHECK(only(bed.emea.heard, "1") == std::vector<std::string>{"100 INVITE @1080ms", "180 INVITE @2090ms"});
  CHECK(only(bed.emea.heard, "200") == std::vector<std::string>{"200 INVITE @4090ms", "200 BYE @6020ms"});
  // The SBC ACKs the carrier's 200 when it arrives and relays the proxy's BYE.
  CHECK(bed.carrier.heard == std::vector<std::string>{"INVITE @1075ms", "ACK @4085ms", "BYE @6015ms"});
  const std::string microsoft_leg(bed.emea.message("100").call_id());
  const std::string carrier_leg(bed.carrier.message("INVITE").call_id());
  CHECK(bed.observer.reports == std::vector<std::string>{"joined " + microsoft_leg + " " + carrier_leg,
                                                         "datacenter " + microsoft_leg + " emea-ams"});
}

TEST_CASE("the 200 toward Microsoft is retransmitted over TLS until its ACK and the call ends without one") {
  // §13.3.1.4: the UAS core retransmits its 2xx "independent of whatever transport protocols are
  // used" (the 2xx is end to end; a hop beyond Microsoft's proxy may lose it).
  SbcBed bed;
  bed.emea.ack_answers = false;
  bed.carrier.invite_scripts = {{{1_s, 180, "pstn"}, {3_s, 200, "pstn", "", kCarrierAnswer}}};
  microsoft_calls(bed);
  bed.simulation.run_until(40_s);
  const std::vector<std::string> answers = only(bed.emea.heard, "200 INVITE");
  REQUIRE(answers.size() >= 5);
  // Sent at 4.080 s, again after 0.5, 1, 2, 4, 4... s (T1 doubling up to T2).
  CHECK(std::vector<std::string>(answers.begin(), answers.begin() + 5) ==
        std::vector<std::string>{"200 INVITE @4090ms", "200 INVITE @4590ms", "200 INVITE @5590ms", "200 INVITE @7590ms",
                                 "200 INVITE @11590ms"});
  // No ACK within 64*T1 = 32 s: the session is ended on both legs.
  CHECK(only(bed.emea.heard, "BYE").size() == 1);
  CHECK(only(bed.carrier.heard, "BYE").size() == 1);
  CHECK(bed.sbc.calls_in_progress() == 0);
}

TEST_CASE("the ACK stops the 200's retransmissions toward Microsoft") {
  SbcBed bed;
  bed.carrier.invite_scripts = {{{1_s, 180, "pstn"}, {3_s, 200, "pstn", "", kCarrierAnswer}}};
  microsoft_calls(bed);
  bed.simulation.run_until(40_s);
  CHECK(only(bed.emea.heard, "200 INVITE") == std::vector<std::string>{"200 INVITE @4090ms"});
  CHECK(only(bed.carrier.heard, "BYE").empty());
}

TEST_CASE("the INVITE to the carrier follows the wire contract toward the trunk") {
  SbcBed bed;
  bed.carrier.invite_scripts = {{{1_s, 180, "pstn"}}};
  microsoft_calls(bed);
  bed.simulation.run_until(2_s);
  const sip::Message& invite = bed.carrier.message("INVITE");
  CHECK(invite.request_uri().text() == "sip:+12065550100@198.51.100.20:5060;user=phone");
  CHECK(invite.top_via().text().starts_with("SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK"));
  CHECK(invite.from().uri().text() == "sip:+14255550100@203.0.113.10;user=phone");
  CHECK(invite.to().uri().text() == "sip:+12065550100@198.51.100.20;user=phone");
  CHECK(invite.contact(0).text() == "<sip:+14255550100@203.0.113.10:5060>");
  CHECK(invite.call_id().ends_with("@sbc1.contoso.com"));
}

TEST_CASE("SDP toward the trunk is stripped so the INVITE fits the MTU in one datagram") {
  SbcBed bed;
  bed.carrier.invite_scripts = {{{1_s, 180, "pstn"}}};
  microsoft_calls(bed);
  bed.simulation.run_until(2_s);
  const sip::Message& received = bed.carrier.message("INVITE");
  // Microsoft's INVITE would not fit: 1500 bytes of MTU leave 1472 for a UDP payload.
  sip::Message offered = sip::Message::request("INVITE", "sip:+12065550100@sbc1.contoso.com:5061;user=phone");
  offered.set_body("application/sdp", large_teams_offer());
  CHECK(sip::serialize(offered).size() > 1472);
  CHECK(received.body().find("a=candidate") == std::string_view::npos);
  CHECK(received.body().find("m=audio 52394 RTP/AVP 0 8 101\r\n") != std::string_view::npos);
  CHECK(received.body().find("a=ice-") == std::string_view::npos);
  CHECK(received.body().find("a=crypto") == std::string_view::npos);
  CHECK(received.body().find("c=IN IP4 203.0.113.10\r\n") != std::string_view::npos);
  const std::vector<net::PacketRecord> datagrams = datagrams_to_carrier(bed);
  REQUIRE(datagrams.size() == 1);
  CHECK(datagrams.front().fragments == 1);
  CHECK(datagrams.front().payload_bytes <= 1472);
  CHECK(datagrams.front().payload_bytes == sip::serialize(received).size());
}

TEST_CASE("the 200 toward Microsoft names the SBC FQDN and carries the carrier's SDP") {
  SbcBed bed;
  bed.carrier.invite_scripts = {{{1_s, 180, "pstn"}, {3_s, 200, "pstn", "", kCarrierAnswer}}};
  microsoft_calls(bed);
  bed.simulation.run_until(5_s);
  const sip::Message& answer = bed.emea.message("200 INVITE");
  CHECK(answer.contact(0).text() == "<sip:sbc1.contoso.com:5061;transport=tls>");
  CHECK(answer.header("Allow").has_value());
  const std::string_view body = answer.body();
  const std::string_view keyed = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:";
  REQUIRE(body.find(keyed) != std::string_view::npos);
  // The carrier's answer as SRTP from the SBC: its codecs, the SBC's address, an SDES key.
  CHECK(body.substr(0, body.find(keyed)) ==
        "v=0\r\no=carrier 9 0 IN IP4 203.0.113.10\r\ns=-\r\nc=IN IP4 203.0.113.10\r\nt=0 0\r\n"
        "m=audio 30002 RTP/SAVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n");
  CHECK(body.size() == body.find(keyed) + keyed.size() + 40 + 2);
  CHECK(answer.to().tag() == bed.emea.message("180").to().tag());
}

TEST_CASE("a failure from the carrier is relayed to Microsoft") {
  SbcBed bed;
  bed.carrier.invite_scripts = {{{500_ms, 486, "busy"}}};
  microsoft_calls(bed);
  bed.simulation.run_until(3_s);
  CHECK(only(bed.emea.heard, "486") == std::vector<std::string>{"486 INVITE @1590ms"});
}

TEST_CASE("a CANCEL from Microsoft is relayed to the carrier") {
  SbcBed bed;
  bed.carrier.invite_scripts = {{{1_s, 180, "pstn"}}};
  microsoft_calls(bed);
  bed.emea.at(3_s, [&] { bed.emea.cancel(); });
  bed.simulation.run_until(4_s);
  CHECK(only(bed.emea.heard, "487") == std::vector<std::string>{"487 INVITE @3020ms"});
  CHECK(only(bed.emea.heard, "200 CANCEL") == std::vector<std::string>{"200 CANCEL @3020ms"});
  CHECK(only(bed.carrier.heard, "CANCEL") == std::vector<std::string>{"CANCEL @3015ms"});
}

TEST_CASE("an SBC without a trunk refuses Microsoft's INVITE with 503") {
  BedOptions options;
  options.adjust = [](sbc::SbcSettings& settings) { settings.trunk.reset(); };
  SbcBed bed(options);
  microsoft_calls(bed);
  bed.simulation.run_until(2_s);
  CHECK(only(bed.emea.heard, "5") == std::vector<std::string>{"503 INVITE @1080ms"});
  CHECK(bed.carrier.heard.empty());
}
