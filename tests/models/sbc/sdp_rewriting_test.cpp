#include "models/sbc/sdp_rewriting.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

// A Teams media answer as Direct Routing sends it: SRTP, ICE candidates, five codecs.
const std::string kMicrosoftSdp =
    "v=0\r\n"
    "o=- 6142 0 IN IP4 52.115.100.31\r\n"
    "s=session\r\n"
    "c=IN IP4 52.115.100.31\r\n"
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
    "a=fmtp:101 0-16\r\n";

const std::vector<std::string> kTrunkCodecs{"PCMU", "PCMA", "telephone-event"};

net::IpAddress address(const char* text) { return *net::IpAddress::parse(text); }

}  // namespace

TEST_CASE("SDP toward the trunk loses the candidates and the codecs the trunk does not use") {
  const auto sdp = sbc::sdp_for_trunk(kMicrosoftSdp, address("203.0.113.10"), kTrunkCodecs);
  REQUIRE(sdp);
  CHECK(*sdp ==
        "v=0\r\n"
        "o=- 6142 0 IN IP4 52.115.100.31\r\n"
        "s=session\r\n"
        "c=IN IP4 203.0.113.10\r\n"
        "t=0 0\r\n"
        "m=audio 52394 RTP/SAVP 0 8 101\r\n"
        "a=ice-ufrag:Hk9V\r\n"
        "a=ice-pwd:j2Qx7pWm4Zs8Lc1Ny6Rb3Tf5\r\n"
        "a=rtpmap:0 PCMU/8000\r\n"
        "a=rtpmap:8 PCMA/8000\r\n"
        "a=rtpmap:101 telephone-event/8000\r\n"
        "a=fmtp:101 0-16\r\n");
}

TEST_CASE("a media section with none of the trunk codecs keeps its own") {
  const std::string silk_only =
      "v=0\r\no=- 1 0 IN IP4 52.115.100.31\r\ns=-\r\nc=IN IP4 52.115.100.31\r\nt=0 0\r\n"
      "m=audio 52394 RTP/SAVP 104\r\na=rtpmap:104 SILK/16000\r\n";
  const auto sdp = sbc::sdp_for_trunk(silk_only, address("203.0.113.10"), kTrunkCodecs);
  REQUIRE(sdp);
  CHECK(sdp->find("m=audio 52394 RTP/SAVP 104\r\na=rtpmap:104 SILK/16000\r\n") != std::string::npos);
}

TEST_CASE("SDP toward Microsoft names the SBC in c= and keeps everything else") {
  const std::string carrier =
      "v=0\r\no=carrier 7 0 IN IP4 198.51.100.20\r\ns=-\r\nc=IN IP4 198.51.100.20\r\nt=0 0\r\n"
      "m=audio 30000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n";
  const auto sdp = sbc::sdp_for_microsoft(carrier, address("203.0.113.10"), std::nullopt);
  REQUIRE(sdp);
  CHECK(*sdp ==
        "v=0\r\no=carrier 7 0 IN IP4 198.51.100.20\r\ns=-\r\nc=IN IP4 203.0.113.10\r\nt=0 0\r\n"
        "m=audio 30000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n");
}

TEST_CASE("in media bypass the SBC offers itself as an ICE-lite peer with one host candidate") {
  const std::string carrier =
      "v=0\r\no=carrier 7 0 IN IP4 198.51.100.20\r\ns=-\r\nc=IN IP4 198.51.100.20\r\nt=0 0\r\n"
      "m=audio 30000 RTP/AVP 0\r\nm=video 0 RTP/AVP 31\r\n";
  const auto sdp = sbc::sdp_for_microsoft(carrier, address("203.0.113.10"),
                                          sbc::IceCredentials{"0000002a", "drsimsbc000000000000002a"});
  REQUIRE(sdp);
  CHECK(*sdp ==
        "v=0\r\no=carrier 7 0 IN IP4 198.51.100.20\r\ns=-\r\nc=IN IP4 203.0.113.10\r\nt=0 0\r\na=ice-lite\r\n"
        "m=audio 30000 RTP/AVP 0\r\n"
        "a=ice-ufrag:0000002a\r\na=ice-pwd:drsimsbc000000000000002a\r\n"
        "a=candidate:1 1 UDP 2130706431 203.0.113.10 30000 typ host\r\n"
        "m=video 0 RTP/AVP 31\r\n");
}

TEST_CASE("an IPv6 SBC address is written as IP6 in c=") {
  const std::string carrier = "v=0\r\no=- 1 0 IN IP4 198.51.100.20\r\ns=-\r\nc=IN IP4 198.51.100.20\r\nt=0 0\r\n";
  const auto sdp = sbc::sdp_for_microsoft(carrier, address("2001:db8::10"), std::nullopt);
  REQUIRE(sdp);
  CHECK(sdp->find("c=IN IP6 2001:db8::10\r\n") != std::string::npos);
}

TEST_CASE("SDP that does not parse is not rewritten") {
  CHECK_FALSE(sbc::sdp_for_trunk("not sdp", address("203.0.113.10"), kTrunkCodecs));
  CHECK_FALSE(sbc::sdp_for_microsoft("v=1\r\n", address("203.0.113.10"), std::nullopt));
}

TEST_CASE("one SdpRewriter gives every message the text the one-off rewrites give") {
  // The SBC keeps one rewriter for all its calls; reuse must not carry anything over.
  const sbc::SdpRewriter rewriter(address("203.0.113.10"), kTrunkCodecs);
  const std::string two_sections =
      "v=0\r\no=- 1 0 IN IP4 52.115.100.31\r\ns=-\r\nc=IN IP4 52.115.100.31\r\nt=0 0\r\n"
      "m=audio 52394 RTP/SAVP 104 0\r\na=rtpmap:104 SILK/16000\r\n"
      "a=candidate:1 1 UDP 2130706431 52.115.100.31 52394 typ host\r\n"
      "m=video 52400 RTP/SAVP 122\r\nc=IN IP4 52.115.100.32\r\na=rtpmap:122 H264/90000\r\n"
      "a=candidate:1 1 UDP 2130706431 52.115.100.31 52400 typ host\r\n";
  for (int round = 0; round < 2; ++round) {
    CHECK(rewriter.for_trunk(kMicrosoftSdp) ==
          sbc::sdp_for_trunk(kMicrosoftSdp, address("203.0.113.10"), kTrunkCodecs));
    // The video section has no trunk codec: it keeps its own, without its candidate, and the
    // audio section loses SILK.
    CHECK(rewriter.for_trunk(two_sections) ==
          "v=0\r\no=- 1 0 IN IP4 52.115.100.31\r\ns=-\r\nc=IN IP4 203.0.113.10\r\nt=0 0\r\n"
          "m=audio 52394 RTP/SAVP 0\r\n"
          "m=video 52400 RTP/SAVP 122\r\nc=IN IP4 203.0.113.10\r\na=rtpmap:122 H264/90000\r\n");
    CHECK(rewriter.for_microsoft(two_sections, std::nullopt) ==
          sbc::sdp_for_microsoft(two_sections, address("203.0.113.10"), std::nullopt));
    const sbc::IceCredentials credentials{"0000002a", "drsimsbc000000000000002a"};
    CHECK(rewriter.for_microsoft(two_sections, credentials) ==
          sbc::sdp_for_microsoft(two_sections, address("203.0.113.10"), credentials));
    CHECK_FALSE(rewriter.for_trunk("not sdp"));
  }
}
