#include "models/teams/media_processor.hpp"

#include <doctest/doctest.h>

#include "sim/sip/sdp.hpp"

TEST_CASE("the media processor's SDP names its own address and an even port in its range") {
  const teams::MediaProcessor processor("52.114.76.76");
  const std::string text = processor.session_description(3);
  const auto sdp = sip::parse_sdp(text);
  REQUIRE(sdp.ok());
  REQUIRE(sdp->media.size() == 1);
  CHECK(sdp->connection()->address == "52.114.76.76");
  CHECK(sdp->media[0].port == 49158);
  CHECK(sdp->media[0].formats == std::vector<std::string>{"9", "0", "8", "101"});
  CHECK(sdp->media[0].ice_ufrag() == "mp00000003");
  CHECK(sdp->media[0].ice_pwd()->size() >= 22);  // RFC 8839 §5.4
  const auto candidates = sdp->media[0].candidates();
  REQUIRE(candidates.ok());
  REQUIRE(candidates->size() == 1);
  CHECK(candidates->front().port == 49158);
  // Reproducible, and different sessions differ.
  CHECK(processor.session_description(3) == text);
  CHECK(processor.session_description(4) != text);
}

TEST_CASE("media processor ports stay in 49152 to 53247 and wrap after 2048 sessions") {
  CHECK(teams::MediaProcessor::media_port(0) == 49152);
  CHECK(teams::MediaProcessor::media_port(2047) == 53246);
  CHECK(teams::MediaProcessor::media_port(2048) == 49152);
}

TEST_CASE("the media processor's SDP is the text its field-by-field formula gives") {
  // session_description appends into one buffer; the text is what the SBCs and clients see.
  const auto hex = [](std::uint64_t value, int digits) {
    std::string text(static_cast<std::size_t>(digits), '0');
    for (int i = digits - 1; i >= 0; --i, value >>= 4)
      text[static_cast<std::size_t>(i)] = "0123456789abcdef"[value & 0xf];
    return text;
  };
  for (const char* address : {"52.114.76.76", "2603:1063::1"}) {
    const teams::MediaProcessor processor(address);
    const std::string a(address);
    for (const std::uint64_t session : {std::uint64_t{0}, std::uint64_t{3}, std::uint64_t{2049}, ~std::uint64_t{0}}) {
      const std::string port = std::to_string(teams::MediaProcessor::media_port(session));
      const std::string expected =
          "v=0\r\no=- " + std::to_string(session) + " 1 IN IP4 " + a + "\r\ns=-\r\nc=IN IP4 " + a +
          "\r\nt=0 0\r\nm=audio " + port +
          " RTP/SAVP 9 0 8 101\r\na=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\n"
          "a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ice-ufrag:mp" +
          hex(session, 8) + "\r\na=ice-pwd:mp" + hex(session, 16) + hex(~session, 8) +
          "\r\na=candidate:1 1 UDP 2130706431 " + a + " " + port + " typ host\r\na=sendrecv\r\n";
      CHECK(processor.session_description(session) == expected);
    }
  }
}
