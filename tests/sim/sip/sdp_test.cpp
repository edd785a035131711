#include <doctest/doctest.h>

#include <array>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include "sim/sip/sdp.hpp"

namespace {

const std::string kOffer =
    "v=0\r\n"
    "o=- 6142 0 IN IP4 52.115.100.31\r\n"
    "s=SDP session\r\n"
    "c=IN IP4 52.115.100.31\r\n"
    "b=CT:10000000\r\n"
    "t=0 0\r\n"
    "m=audio 52394 RTP/SAVP 104 9 0 8 101\r\n"
    "a=ice-ufrag:Hk9V\r\n"
    "a=ice-pwd:j2Qx7pWm4Zs8Lc1Ny6Rb3Tf5\r\n"
    "a=candidate:1 1 UDP 2130706431 52.115.100.31 52394 typ host\r\n"
    "a=candidate:2 1 UDP 16648703 52.115.100.31 52394 typ relay raddr 10.0.12.4 rport 52394\r\n"
    "a=x-candidate-ipv6:4 1 UDP 2130706431 2603:1063:21d:14::3a 52396 typ host\r\n"
    "a=rtpmap:104 SILK/16000\r\n"
    "a=fmtp:104 useinbandfec=1; usedtx=0\r\n"
    "a=rtpmap:9 G722/8000\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-16\r\n"
    "a=rtcp-fb:* x-message app send:dsh recv:dsh\r\n"
    "a=sendonly\r\n"
    "m=video 0/2 RTP/AVP 31\r\n"
    "a=inactive\r\n";

}  // namespace

TEST_CASE("SDP session and media sections are decoded") {
  auto sdp = sip::parse_sdp(kOffer);
  REQUIRE(sdp.ok());
  CHECK(sdp->origin()->session_id == "6142");
  CHECK(sdp->origin()->address == "52.115.100.31");
  CHECK(sdp->session_name() == std::optional<std::string_view>("SDP session"));
  CHECK(sdp->connection()->address == "52.115.100.31");
  CHECK(sdp->bandwidths() == std::vector<std::string_view>{"CT:10000000"});
  REQUIRE(sdp->media.size() == 2);
  const sip::MediaDescription& audio = sdp->media[0];
  CHECK(audio.media == "audio");
  CHECK(audio.port == 52394);
  CHECK(audio.proto == "RTP/SAVP");
  CHECK(audio.formats == std::vector<std::string>{"104", "9", "0", "8", "101"});
  CHECK(audio.ice_ufrag() == std::optional<std::string_view>("Hk9V"));
  CHECK(audio.ice_pwd() == std::optional<std::string_view>("j2Qx7pWm4Zs8Lc1Ny6Rb3Tf5"));
  auto maps = audio.rtpmaps();
  REQUIRE(maps.size() == 5);
  CHECK(maps[0].payload_type == 104);
  CHECK(maps[0].encoding == "SILK");
  CHECK(maps[0].clock_rate == 16000);
  CHECK(audio.fmtp(101) == std::optional<std::string_view>("0-16"));
  auto candidates = audio.candidates();
  REQUIRE(candidates.ok());
  REQUIRE(candidates->size() == 2);
  CHECK((*candidates)[0].type == "host");
  CHECK((*candidates)[0].priority == 2130706431u);
  CHECK((*candidates)[1].type == "relay");
  CHECK((*candidates)[1].related_address == "10.0.12.4");
  CHECK((*candidates)[1].related_port == std::optional<std::uint16_t>(52394));
  CHECK(sdp->effective_direction(0) == sip::MediaDirection::SendOnly);
  CHECK(sdp->effective_direction(1) == sip::MediaDirection::Inactive);
  CHECK(sdp->media[1].port_count == std::optional<std::uint16_t>(2));
}

TEST_CASE("SDP parse then serialize gives the same bytes") {
  auto sdp = sip::parse_sdp(kOffer);
  REQUIRE(sdp.ok());
  CHECK(sip::serialize_sdp(sdp.value()) == kOffer);
  auto again = sip::parse_sdp(sip::serialize_sdp(sdp.value()));
  REQUIRE(again.ok());
  CHECK(again.value() == sdp.value());
}

TEST_CASE("stripping ICE candidates keeps ufrag and pwd and makes the SDP smaller") {
  auto sdp = sip::parse_sdp(kOffer);
  REQUIRE(sdp.ok());
  sip::strip_ice_candidates(sdp.value());
  const std::string out = sip::serialize_sdp(sdp.value());
  CHECK(out.find("candidate") == std::string::npos);
  CHECK(out.find("a=ice-ufrag:Hk9V") != std::string::npos);
  CHECK(out.size() < kOffer.size());
}

TEST_CASE("keeping only some codecs drops the other payload types with their rtpmap and fmtp") {
  auto sdp = sip::parse_sdp(kOffer);
  REQUIRE(sdp.ok());
  const std::array<std::string_view, 2> names = {"PCMU", "telephone-event"};
  sip::keep_only_codec_names(sdp.value(), names);
  const sip::MediaDescription& audio = sdp->media[0];
  CHECK(audio.formats == std::vector<std::string>{"0", "101"});
  CHECK(audio.rtpmaps().size() == 2);
  CHECK(!audio.fmtp(104).has_value());
  CHECK(audio.fmtp(101).has_value());
  CHECK(audio.has_attribute("rtcp-fb"));  // applies to every payload type
  const std::array<int, 1> only_pcma = {8};
  sip::keep_only_codecs(sdp.value(), only_pcma);
  CHECK(sdp->media[0].formats == std::vector<std::string>{});
}

TEST_CASE("codecs are kept by name within each media section") {
  // 96 is telephone-event in the first section and opus in the second (RFC 4566 §6).
  auto sdp = sip::parse_sdp(
      "v=0\r\no=- 1 0 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
      "m=audio 4000 RTP/AVP 0 96\r\na=rtpmap:96 telephone-event/8000\r\n"
      "m=audio 4002 RTP/AVP 96 8\r\na=rtpmap:96 opus/48000/2\r\na=fmtp:96 useinbandfec=1\r\n");
  REQUIRE(sdp.ok());
  const std::array<std::string_view, 2> names = {"PCMA", "telephone-event"};
  sip::keep_only_codec_names(sdp.value(), names);
  CHECK(sdp->media[0].formats == std::vector<std::string>{"96"});
  CHECK(sdp->media[1].formats == std::vector<std::string>{"8"});
  CHECK(sdp->media[1].rtpmaps().empty());
  CHECK(!sdp->media[1].fmtp(96).has_value());
}

TEST_CASE("malformed SDP is reported with its line") {
  auto missing_version = sip::parse_sdp("o=- 1 1 IN IP4 1.2.3.4\r\n");
  REQUIRE(!missing_version.ok());
  CHECK(missing_version.error().line == 1);
  auto bad_line = sip::parse_sdp("v=0\r\nthis is not sdp\r\n");
  REQUIRE(!bad_line.ok());
  CHECK(bad_line.error().line == 2);
  CHECK(!sip::parse_sdp("v=0\r\nm=audio x RTP/AVP 0\r\n").ok());
}

TEST_CASE("a body that is only a line end is not SDP") {
  // Found by tests/fuzz: "\r\n" parsed as an SDP without lines, which serializes to "" and
  // that no longer parses.
  for (std::string_view body : {"\r\n", "\n"}) {
    auto sdp = sip::parse_sdp(body);
    REQUIRE(!sdp.ok());
    CHECK(sdp.error().line == 1);
    CHECK(sdp.error().reason == "SDP must start with v=0");
  }
  CHECK(sip::parse_sdp("v=0\r\n\r\n").ok());  // a trailing empty line is still tolerated
}

TEST_CASE("numbers in SDP are read as std::from_chars reads them, all of the text or nothing") {
  for (std::string_view text : {"0", "8", "101", "0049", "999999999", "1000000000", "2147483647", "2147483648",
                                "-1", "-0", "+1", "", " 1", "1 ", "12a", "a12", "99999999999", "1/2", "0x1"}) {
    CAPTURE(text);
    int expected = 0;
    const auto read = std::from_chars(text.data(), text.data() + text.size(), expected);
    const bool whole = !text.empty() && read.ec == std::errc() && read.ptr == text.data() + text.size();
    CHECK(sip::format_payload_type(text) == (whole ? std::optional<int>(expected) : std::nullopt));
  }
}

TEST_CASE("an SDP body splits into line views, its m= lines parsed") {
  const auto split = sip::split_sdp_lines("v=0\ns=-\r\nm=audio  0049/2 RTP/AVP 0  8\na=rtpmap:0 PCMU/8000\n\n");
  REQUIRE(split.ok());
  REQUIRE(split->lines.size() == 4);
  CHECK(split->lines[1].type == 's');
  CHECK(split->lines[1].value == "-");
  CHECK(split->lines[2].type == 'm');
  REQUIRE(split->media_lines.size() == 1);
  const sip::SdpMediaLine& media = split->media_lines[0];
  CHECK(media.media == "audio");
  CHECK(media.port == 49);
  CHECK(media.port_count == 2);
  CHECK(media.proto == "RTP/AVP");
  sip::SdpWords formats(media.formats);
  std::string_view first, second, none;
  CHECK(formats.next(first));
  CHECK(formats.next(second));
  CHECK_FALSE(formats.next(none));
  CHECK(first == "0");
  CHECK(second == "8");
  const auto bad = sip::split_sdp_lines("v=0\r\nm=audio 70000 RTP/AVP 0\r\n");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().line == 2);
  CHECK(bad.error().reason == "m= port is not a number in 0-65535");
}

TEST_CASE("the line rules name attributes by their whole name") {
  CHECK(sip::is_sdp_attribute("rtpmap:0 PCMU/8000", "rtpmap"));
  CHECK(sip::is_sdp_attribute("ice-lite", "ice-lite"));
  CHECK_FALSE(sip::is_sdp_attribute("ice-liter", "ice-lite"));
  CHECK_FALSE(sip::is_sdp_attribute("candidates:1", "candidate"));
  CHECK(sip::is_ice_candidate_attribute("end-of-candidates"));
  CHECK_FALSE(sip::is_ice_candidate_attribute("ice-ufrag:abcd"));
  CHECK(sip::codec_attribute_payload_type("fmtp:101 0-16") == 101);
  CHECK(sip::codec_attribute_payload_type("rtcp-fb:* nack") == std::nullopt);
  CHECK(sip::codec_attribute_payload_type("rtpmap") == std::nullopt);
  CHECK(sip::codec_attribute_payload_type("ptime:20") == std::nullopt);
}
