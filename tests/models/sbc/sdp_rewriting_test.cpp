#include "models/sbc/sdp_rewriting.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/sip/sdp.hpp"

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

// The SDES line the SBC adds toward Microsoft, whatever its key: the key is checked for form
// (40 base64 characters) and cut out, so the rest of the body can be compared byte for byte.
std::string without_crypto_key(std::string sdp) {
  constexpr std::string_view kPrefix = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:";
  for (std::size_t at = sdp.find(kPrefix); at != std::string::npos; at = sdp.find(kPrefix, at + 1)) {
    const std::size_t key = at + kPrefix.size();
    const std::size_t end = sdp.find("\r\n", key);
    CHECK(end - key == 40);
    CHECK(sdp.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", key) == end);
    sdp.replace(key, end - key, "KEY");
  }
  return sdp;
}

}  // namespace

TEST_CASE("SDP toward the trunk is plain RTP from the SBC without ICE and with the trunk's codecs only") {
  // A user's review: the trunk got RTP/SAVP and Microsoft's ICE credentials, and o= still named
  // Microsoft's media processor.
  const auto sdp = sbc::sdp_for_trunk(kMicrosoftSdp + "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:xyz\r\n",
                                      address("203.0.113.10"), kTrunkCodecs);
  REQUIRE(sdp);
  CHECK(*sdp ==
        "v=0\r\n"
        "o=- 6142 0 IN IP4 203.0.113.10\r\n"
        "s=session\r\n"
        "c=IN IP4 203.0.113.10\r\n"
        "t=0 0\r\n"
        "m=audio 52394 RTP/AVP 0 8 101\r\n"
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
  CHECK(sdp->find("m=audio 52394 RTP/AVP 104\r\na=rtpmap:104 SILK/16000\r\n") != std::string::npos);
}

TEST_CASE("each media section keeps the payload types its own rtpmaps give the trunk codecs") {
  // 96 is telephone-event in the first section and opus in the second (RFC 4566 §6: rtpmap is
  // per media): the second section must not keep opus because the first kept 96.
  const std::string two_sections =
      "v=0\r\no=- 1 0 IN IP4 52.115.100.31\r\ns=-\r\nc=IN IP4 52.115.100.31\r\nt=0 0\r\n"
      "m=audio 52394 RTP/SAVP 0 96\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:96 telephone-event/8000\r\n"
      "m=audio 52396 RTP/SAVP 96 0\r\na=rtpmap:96 opus/48000/2\r\na=fmtp:96 useinbandfec=1\r\n"
      "a=rtpmap:0 PCMU/8000\r\n";
  const auto sdp = sbc::sdp_for_trunk(two_sections, address("203.0.113.10"), kTrunkCodecs);
  REQUIRE(sdp);
  CHECK(sdp->find("m=audio 52394 RTP/AVP 0 96\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:96 telephone-event/8000\r\n") !=
        std::string::npos);
  CHECK(sdp->find("m=audio 52396 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n") != std::string::npos);
  CHECK(sdp->find("opus") == std::string::npos);
}

TEST_CASE("SDP toward Microsoft is SRTP from the SBC with SDES keys and keeps the codecs") {
  const std::string carrier =
      "v=0\r\no=carrier 7 0 IN IP4 198.51.100.20\r\ns=-\r\nc=IN IP4 198.51.100.20\r\nt=0 0\r\n"
      "m=audio 30000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n";
  const auto sdp = sbc::sdp_for_microsoft(carrier, address("203.0.113.10"), std::nullopt);
  REQUIRE(sdp);
  CHECK(without_crypto_key(*sdp) ==
        "v=0\r\no=carrier 7 0 IN IP4 203.0.113.10\r\ns=-\r\nc=IN IP4 203.0.113.10\r\nt=0 0\r\n"
        "m=audio 30000 RTP/SAVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n"
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY\r\n");
  // The same body gets the same key; another body another.
  CHECK(sbc::sdp_for_microsoft(carrier, address("203.0.113.10"), std::nullopt) == sdp);
  const auto other = sbc::sdp_for_microsoft(carrier + "a=ptime:20\r\n", address("203.0.113.10"), std::nullopt);
  REQUIRE(other);
  CHECK(other->substr(other->find("inline:"), 47) != sdp->substr(sdp->find("inline:"), 47));
}

TEST_CASE("in media bypass the SBC offers itself as an ICE-lite peer with one host candidate") {
  const std::string carrier =
      "v=0\r\no=carrier 7 0 IN IP4 198.51.100.20\r\ns=-\r\nc=IN IP4 198.51.100.20\r\nt=0 0\r\n"
      "m=audio 30000 RTP/AVP 0\r\nm=video 0 RTP/AVP 31\r\n";
  const auto sdp = sbc::sdp_for_microsoft(carrier, address("203.0.113.10"),
                                          sbc::IceCredentials{"0000002a", "drsimsbc000000000000002a"});
  REQUIRE(sdp);
  CHECK(without_crypto_key(*sdp) ==
        "v=0\r\no=carrier 7 0 IN IP4 203.0.113.10\r\ns=-\r\nc=IN IP4 203.0.113.10\r\nt=0 0\r\na=ice-lite\r\n"
        "m=audio 30000 RTP/SAVP 0\r\n"
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:KEY\r\n"
        "a=ice-ufrag:0000002a\r\na=ice-pwd:drsimsbc000000000000002a\r\n"
        "a=candidate:1 1 UDP 2130706431 203.0.113.10 30000 typ host\r\n"
        "m=video 0 RTP/SAVP 31\r\n");
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
          "v=0\r\no=- 1 0 IN IP4 203.0.113.10\r\ns=-\r\nc=IN IP4 203.0.113.10\r\nt=0 0\r\n"
          "m=audio 52394 RTP/AVP 0\r\n"
          "m=video 52400 RTP/AVP 122\r\nc=IN IP4 203.0.113.10\r\na=rtpmap:122 H264/90000\r\n");
    CHECK(rewriter.for_microsoft(two_sections, std::nullopt) ==
          sbc::sdp_for_microsoft(two_sections, address("203.0.113.10"), std::nullopt));
    const sbc::IceCredentials credentials{"0000002a", "drsimsbc000000000000002a"};
    CHECK(rewriter.for_microsoft(two_sections, credentials) ==
          sbc::sdp_for_microsoft(two_sections, address("203.0.113.10"), credentials));
    CHECK_FALSE(rewriter.for_trunk("not sdp"));
  }
}

// ---- The single-pass rewritings against the general SDP path ------------------------------------
// SdpRewriter rewrites the text directly; these are the same rewritings written with parse_sdp, the
// sip:: editing functions and serialize_sdp. Every output must be the same bytes (the simulator's
// fingerprints hash them), and nullopt exactly when parse_sdp fails.
namespace {

void reference_anchor(sip::SessionDescription& sdp, const std::string& connection) {
  for (sip::SdpLine& line : sdp.lines) {
    if (line.type == 'c') line.value = connection;
    // o=: the first three fields, then the SBC's network type, address type and address.
    std::size_t third_space = std::string::npos;
    for (std::size_t at = 0, spaces = 0; line.type == 'o' && at < line.value.size(); ++at)
      if (line.value[at] == ' ' && ++spaces == 3) {
        third_space = at;
        break;
      }
    if (third_space != std::string::npos) line.value = line.value.substr(0, third_space + 1) + connection;
  }
  for (sip::MediaDescription& media : sdp.media)
    for (sip::SdpLine& line : media.lines)
      if (line.type == 'c') line.value = connection;
}

bool reference_is_ice_attribute(const sip::SdpLine& line);

bool reference_is_crypto(const sip::SdpLine& line) {
  return line.type == 'a' && std::string_view(line.value).substr(0, line.value.find(':')) == "crypto";
}

std::optional<std::string> reference_for_trunk(std::string_view text, const std::string& connection,
                                               const std::vector<std::string>& trunk_codecs) {
  auto parsed = sip::parse_sdp(text);
  if (!parsed.ok()) return std::nullopt;
  sip::SessionDescription& sdp = parsed.value();
  sip::strip_ice_candidates(sdp);
  const auto plain = [](const sip::SdpLine& line) { return reference_is_ice_attribute(line) || reference_is_crypto(line); };
  std::erase_if(sdp.lines, plain);
  for (sip::MediaDescription& media : sdp.media) {
    std::erase_if(media.lines, plain);
    if (media.proto == "RTP/SAVP") media.proto = "RTP/AVP";
    if (media.proto == "RTP/SAVPF") media.proto = "RTP/AVPF";
  }
  const sip::SessionDescription unfiltered = sdp;
  const std::vector<std::string_view> names(trunk_codecs.begin(), trunk_codecs.end());
  sip::keep_only_codec_names(sdp, names);
  for (std::size_t index = 0; index < sdp.media.size(); ++index) {
    if (sdp.media[index].formats.empty()) sdp.media[index] = unfiltered.media[index];
  }
  reference_anchor(sdp, connection);
  return sip::serialize_sdp(sdp);
}

bool reference_is_ice_attribute(const sip::SdpLine& line) {
  const std::string_view name = std::string_view(line.value).substr(0, line.value.find(':'));
  return line.type == 'a' && (name == "ice-ufrag" || name == "ice-pwd" || name == "ice-lite" || name == "ice-options");
}

std::optional<std::string> reference_for_microsoft(std::string_view text, const std::string& connection,
                                                   const std::string& address_text,
                                                   const std::optional<sbc::IceCredentials>& ice_lite) {
  auto parsed = sip::parse_sdp(text);
  if (!parsed.ok()) return std::nullopt;
  sip::SessionDescription& sdp = parsed.value();
  reference_anchor(sdp, connection);
  std::uint64_t seed = 0xcbf29ce484222325ULL;  // FNV-1a of the body
  for (const char c : text) seed = (seed ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  for (std::size_t index = 0; index < sdp.media.size(); ++index) {
    sip::MediaDescription& media = sdp.media[index];
    const bool rtp = media.proto.starts_with("RTP/");
    if (media.proto == "RTP/AVP") media.proto = "RTP/SAVP";
    if (media.proto == "RTP/AVPF") media.proto = "RTP/SAVPF";
    if (media.port != 0 && rtp && std::none_of(media.lines.begin(), media.lines.end(), reference_is_crypto))
      media.lines.push_back({'a', "crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + sip::sdes_inline_key(seed + index)});
  }
  if (ice_lite) {
    sip::strip_ice_candidates(sdp);
    std::erase_if(sdp.lines, reference_is_ice_attribute);
    sdp.lines.push_back({'a', "ice-lite"});
    for (sip::MediaDescription& media : sdp.media) {
      std::erase_if(media.lines, reference_is_ice_attribute);
      if (media.port == 0) continue;
      media.lines.push_back({'a', "ice-ufrag:" + ice_lite->ufrag});
      media.lines.push_back({'a', "ice-pwd:" + ice_lite->pwd});
      media.lines.push_back({'a', "candidate:1 1 UDP 2130706431 " + address_text + " " +
                                      std::to_string(media.port) + " typ host"});
    }
  }
  return sip::serialize_sdp(sdp);
}

// Bodies unlike the usual ones: several media sections, ICE at both levels, unknown and static
// codecs, fmtp and rtcp-fb lines, LF-only line ends, an m= line written loosely.
const std::vector<std::string> kVariedSdps{
    kMicrosoftSdp,
    // Two sections; video has no trunk codec and keeps its own; rtcp-fb for one and for all.
    "v=0\r\no=- 1 0 IN IP4 52.115.100.31\r\ns=-\r\nc=IN IP4 52.115.100.31\r\nt=0 0\r\n"
    "a=ice-options:trickle\r\na=candidate:9 1 UDP 1 10.0.0.1 9 typ host\r\n"
    "m=audio 52394 RTP/SAVP 104 0 13 18 101\r\na=rtpmap:104 SILK/16000\r\na=rtcp-fb:104 nack\r\n"
    "a=rtcp-fb:* x-message app send:dsh recv:dsh\r\na=fmtp:18 annexb=no\r\na=rtpmap:101 Telephone-Event/8000\r\n"
    "a=remote-candidates:1 10.0.0.2 5000\r\na=end-of-candidates\r\na=sendrecv\r\n"
    "m=video 52400 RTP/SAVP 122 123\r\nc=IN IP4 52.115.100.32\r\nb=AS:2000\r\na=rtpmap:122 H264/90000\r\n"
    "a=fmtp:122 packetization-mode=1\r\na=rtpmap:123 x-rtvc1/90000\r\na=rtcp-fb:122 nack pli\r\n"
    "a=candidate:1 1 UDP 2130706431 52.115.100.31 52400 typ host\r\na=ice-ufrag:abcd\r\n",
    // LF only, no final line end, an m= line with extra spaces, a leading-zero port and a port
    // count, a rejected stream, formats that are not numbers, a payload type another section
    // chose, an rtpmap whose clock rate is not a number, a flag a=rtpmap.
    "v=0\no=carrier 7 0 IN IP4 198.51.100.20\ns=-\nc=IN IP4 198.51.100.20\nt=0 0\n"
    "m=audio  030000/2   RTP/AVP  0   96  8  \na=rtpmap:96 PCMU/8000\na=rtpmap:97 G726/x\na=rtpmap\n"
    "a=fmtp:96 x\na=ptime:20\n"
    "m=video 0 RTP/AVP 96 31\na=rtpmap:96 VP8/90000\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\na=sctp-port:5000\n"
    "m=audio 40000 RTP/AVP 97\r\r\na=rtpmap:97 G726/x\na=candidate:1 1 UDP 1 1.2.3.4 40000 typ host",
    // A section with no formats at all, and an unknown static type.
    "v=0\r\no=- 2 0 IN IP6 2001:db8::1\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP\r\nc=IN IP6 2001:db8::1\r\n"
    "a=rtpmap:0 PCMU/8000\r\nm=audio 5002 RTP/AVP 3 -1 99999999999\r\na=rtpmap:-1 PCMA/8000\r\n"
    "a=fmtp:-1 y\r\na=fmtp:3 z\r\n",
    // No media section at all.
    "v=0\r\no=- 3 0 IN IP4 198.51.100.20\r\ns=-\r\nc=IN IP4 198.51.100.20\r\nt=0 0\r\na=ice-lite\r\n",
};

// Each body, and every variant a line-based rewrite could get wrong: cut at every byte, every
// line dropped, every line doubled.
std::vector<std::string> varied_bodies() {
  std::vector<std::string> bodies{"", "\n", "\r\n", "v=0", "v=0\r\n\r\n", "v=0\r\n\r\n\r\n", "v=0\n\nm=audio 1 RTP/AVP 0\n",
                                  "v=0\r\nm=audio\r\n", "v=0\r\nm=audio 70000 RTP/AVP 0\r\n",
                                  "v=0\r\nm=audio 1/x RTP/AVP 0\r\n", "v=0\r\nM=x\r\n", "v=0\r\nc\r\n"};
  for (const std::string& sdp : kVariedSdps) {
    for (std::size_t length = 0; length <= sdp.size(); ++length) bodies.push_back(sdp.substr(0, length));
    std::vector<std::size_t> line_starts{0};
    for (std::size_t at = 0; at < sdp.size(); ++at)
      if (sdp[at] == '\n') line_starts.push_back(at + 1);
    line_starts.push_back(sdp.size());
    for (std::size_t line = 0; line + 1 < line_starts.size(); ++line) {
      const std::size_t start = line_starts[line], end = line_starts[line + 1];
      bodies.push_back(sdp.substr(0, start) + sdp.substr(end));
      bodies.push_back(sdp.substr(0, end) + sdp.substr(start));
    }
  }
  return bodies;
}

}  // namespace

TEST_CASE("the SBC's rewritings give the bytes the general parse-edit-serialize path gives") {
  const sbc::IceCredentials credentials{"0000002a", "drsimsbc000000000000002a"};
  const std::vector<std::string> bodies = varied_bodies();
  for (const char* sbc_address : {"203.0.113.10", "2001:db8::10"}) {
    const net::IpAddress media_address = address(sbc_address);
    const std::string connection =
        std::string(media_address.family() == net::IpFamily::V4 ? "IN IP4 " : "IN IP6 ") + media_address.text();
    for (const std::vector<std::string>& codecs :
         {kTrunkCodecs, std::vector<std::string>{"g729", "CN", "PCMA"}, std::vector<std::string>{}}) {
      const sbc::SdpRewriter rewriter(media_address, codecs);
      for (const std::string& body : bodies) {
        CAPTURE(body);
        CHECK(rewriter.for_trunk(body) == reference_for_trunk(body, connection, codecs));
        CHECK(rewriter.for_microsoft(body, std::nullopt) ==
              reference_for_microsoft(body, connection, media_address.text(), std::nullopt));
        CHECK(rewriter.for_microsoft(body, credentials) ==
              reference_for_microsoft(body, connection, media_address.text(), credentials));
      }
    }
  }
}
