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
