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
          "a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"
          "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + sip::sdes_inline_key(session) + "\r\na=ice-ufrag:mp" +
          hex(session, 8) + "\r\na=ice-pwd:mp" + hex(session, 16) + hex(~session, 8) +
          "\r\na=candidate:1 1 UDP 2130706431 " + a + " " + port + " typ host\r\na=sendrecv\r\n";
      CHECK(processor.session_description(session) == expected);
    }
  }
}

TEST_CASE("the media processor answers with the offered codecs only, under the offer's numbers") {
  // A user's review: the answer to an offer of 0 8 101 listed G.722 (9), which was never offered
  // (RFC 3264 §6.1), and kept RTP/SAVP 9 0 8 101 whatever came.
  const teams::MediaProcessor processor("52.114.76.76");
  const std::string offer =
      "v=0\r\no=carrier 1 1 IN IP4 203.0.113.10\r\ns=-\r\nc=IN IP4 203.0.113.10\r\nt=0 0\r\n"
      "m=audio 16384 RTP/SAVP 8 0 96\r\na=rtpmap:96 telephone-event/8000\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:x\r\n";
  const auto answer = sip::parse_sdp(processor.answer(5, offer));
  REQUIRE(answer.ok());
  REQUIRE(answer->media.size() == 1);
  const sip::MediaDescription& audio = answer->media[0];
  CHECK(audio.proto == "RTP/SAVP");
  // Microsoft's order of preference, the offer's payload type for telephone-event.
  CHECK(audio.formats == std::vector<std::string>{"0", "8", "96"});
  CHECK(audio.fmtp(96) == "0-16");
  REQUIRE(audio.attributes("crypto").size() == 1);
  CHECK(audio.attributes("crypto")[0] == "1 AES_CM_128_HMAC_SHA1_80 inline:" + sip::sdes_inline_key(5));
  // With G.722 in the offer it comes first; with no voice codec in common (not modelled: 488),
  // the whole offer of the processor.
  const std::string wideband = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/SAVP 0 9\r\n";
  CHECK(sip::parse_sdp(processor.answer(5, wideband))->media[0].formats == std::vector<std::string>{"9", "0"});
  const std::string silk = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 1 RTP/SAVP 104\r\na=rtpmap:104 SILK/16000\r\n";
  CHECK(processor.answer(5, silk) == processor.session_description(5));
}

TEST_CASE("SDES keys are 40 base64 characters, the same for a seed and different across seeds") {
  const std::string key = sip::sdes_inline_key(7);
  CHECK(key.size() == 40);
  CHECK(key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") == std::string::npos);
  CHECK(sip::sdes_inline_key(7) == key);
  CHECK(sip::sdes_inline_key(8) != key);
}
