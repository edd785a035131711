#include "models/pstn/carrier_media.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

pstn::MediaEndpoint carrier_media() { return {*net::IpAddress::parse("198.51.100.20"), 16384, 7}; }

sip::SessionDescription parsed(const std::string& text) {
  auto sdp = sip::parse_sdp(text);
  REQUIRE(sdp.ok());
  return std::move(sdp).value();
}

}  // namespace

TEST_CASE("the offer is G.711 and telephone-event in 20 ms packets on the carrier's address") {
  const pstn::MediaEndpoint local = carrier_media();
  CHECK(pstn::g711_offer_text(local, local.address.text()) ==
        "v=0\r\n"
        "o=- 7 7 IN IP4 198.51.100.20\r\n"
        "s=-\r\n"
        "c=IN IP4 198.51.100.20\r\n"
        "t=0 0\r\n"
        "m=audio 16384 RTP/AVP 0 8 101\r\n"
        "a=rtpmap:0 PCMU/8000\r\n"
        "a=rtpmap:8 PCMA/8000\r\n"
        "a=rtpmap:101 telephone-event/8000\r\n"
        "a=fmtp:101 0-16\r\n"
        "a=ptime:20\r\n"
        "a=sendrecv\r\n");
}

TEST_CASE("the offer is well-formed SDP for every address, port and session number") {
  // Written by hand: it must read back as the offer and be what the SDP serializer writes.
  for (const char* address : {"198.51.100.20", "2001:db8::20", "10.0.0.1"}) {
    for (const std::uint16_t port : {std::uint16_t{16384}, std::uint16_t{49150}, std::uint16_t{65534}}) {
      for (const std::uint64_t session : {std::uint64_t{1}, std::uint64_t{7}, std::uint64_t{18446744073709551615ULL}}) {
        const pstn::MediaEndpoint local{*net::IpAddress::parse(address), port, session};
        const std::string text = pstn::g711_offer_text(local, local.address.text());
        INFO(text);
        const sip::SessionDescription offer = parsed(text);
        CHECK(sip::serialize_sdp(offer) == text);
        REQUIRE(offer.connection().has_value());
        CHECK(offer.connection()->address_type == (local.address.family() == net::IpFamily::V4 ? "IP4" : "IP6"));
        CHECK(offer.connection()->address == local.address.text());
        REQUIRE(offer.origin().has_value());
        CHECK(offer.origin()->session_id == std::to_string(session));
        REQUIRE(offer.media.size() == 1);
        CHECK(offer.media[0].port == port);
        CHECK(offer.media[0].formats == std::vector<std::string>{"0", "8", "101"});
      }
    }
  }
}

TEST_CASE("the answer takes the first G.711 codec in the offer's order and its telephone-event") {
  const auto offer = parsed(
      "v=0\r\no=- 1 1 IN IP4 203.0.113.10\r\ns=-\r\nc=IN IP4 203.0.113.10\r\nt=0 0\r\n"
      "m=audio 50000 RTP/AVP 9 8 0 96\r\na=rtpmap:9 G722/8000\r\na=rtpmap:8 PCMA/8000\r\n"
      "a=rtpmap:0 PCMU/8000\r\na=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-15\r\na=sendrecv\r\n");
  const auto answer = pstn::make_g711_answer(offer, carrier_media());
  REQUIRE(answer.has_value());
  CHECK(sip::serialize_sdp(*answer) ==
        "v=0\r\n"
        "o=- 7 7 IN IP4 198.51.100.20\r\n"
        "s=-\r\n"
        "c=IN IP4 198.51.100.20\r\n"
        "t=0 0\r\n"
        "m=audio 16384 RTP/AVP 8 96\r\n"
        "a=rtpmap:8 PCMA/8000\r\n"
        "a=rtpmap:96 telephone-event/8000\r\n"
        "a=fmtp:96 0-15\r\n"
        "a=ptime:20\r\n"
        "a=sendrecv\r\n");
}

TEST_CASE("static payload types without rtpmap count and directions are mirrored") {
  const auto offer = parsed(
      "v=0\r\no=- 1 1 IN IP4 203.0.113.10\r\ns=-\r\nc=IN IP4 203.0.113.10\r\nt=0 0\r\n"
      "m=audio 50000 RTP/AVP 0\r\na=sendonly\r\n");
  const auto answer = pstn::make_g711_answer(offer, carrier_media());
  REQUIRE(answer.has_value());
  REQUIRE(answer->media.size() == 1);
  CHECK(answer->media[0].formats == std::vector<std::string>{"0"});
  CHECK(answer->effective_direction(0) == sip::MediaDirection::RecvOnly);
  CHECK(answer->media[0].attributes("rtpmap") == std::vector<std::string_view>{"0 PCMU/8000"});
}

TEST_CASE("video and codec-less streams are refused with port zero and one line per offered stream") {
  const auto offer = parsed(
      "v=0\r\no=- 1 1 IN IP4 203.0.113.10\r\ns=-\r\nc=IN IP4 203.0.113.10\r\nt=0 0\r\n"
      "m=video 50002 RTP/AVP 122\r\na=rtpmap:122 X-H264UC/90000\r\n"
      "m=audio 50000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n");
  const auto answer = pstn::make_g711_answer(offer, carrier_media());
  REQUIRE(answer.has_value());
  REQUIRE(answer->media.size() == 2);
  CHECK(answer->media[0].media == "video");
  CHECK(answer->media[0].port == 0);
  CHECK(answer->media[0].formats == std::vector<std::string>{"122"});
  CHECK(answer->media[1].port == 16384);
  CHECK(answer->media[1].formats == std::vector<std::string>{"0", "101"});
  // RFC 4733 §2.4.1: an offer without fmtp means events 0-15.
  CHECK(answer->media[1].fmtp(101) == std::optional<std::string_view>("0-15"));
}

TEST_CASE("an offer with no G.711 stream cannot be answered") {
  const auto offer = parsed(
      "v=0\r\no=- 1 1 IN IP4 203.0.113.10\r\ns=-\r\nc=IN IP4 203.0.113.10\r\nt=0 0\r\n"
      "m=audio 50000 RTP/SAVP 104 9 101\r\na=rtpmap:104 SILK/16000\r\na=rtpmap:9 G722/8000\r\n"
      "a=rtpmap:101 telephone-event/8000\r\n");
  CHECK_FALSE(pstn::make_g711_answer(offer, carrier_media()).has_value());
}
