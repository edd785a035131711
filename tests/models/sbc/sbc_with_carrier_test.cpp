// The SBC with the real carrier of models/pstn on its trunk: both directions end to end, with a
// scripted Microsoft proxy on the other side.
#include <doctest/doctest.h>

#include "models/pstn/carrier.hpp"
#include "tests/models/sbc/sbc_test_bed.hpp"

using namespace sbc_test;

namespace {

const net::IpAddress kRealCarrierIp = ip("198.51.100.30");

// The bed with a pstn::Carrier at 198.51.100.30 (5 ms from the SBC) as the SBC's trunk.
struct CarrierBed {
  CarrierBed() : bed(options()) {
    pstn::CarrierSettings settings;
    settings.ip = kRealCarrierIp;
    settings.sbc = kSbcTrunk;
    settings.numbers = {"+12065550100"};
    settings.ring_after = 2_s;
    settings.answer_after = 5_s;
    carrier = &bed.simulation.add_actor<pstn::Carrier>("carrier2", settings);
    carrier->attach(bed.udp, bed.tcp, bed.add_host("carrier2", "pstn", kRealCarrierIp, carrier->id()));
  }
  static BedOptions options() {
    BedOptions options;
    options.adjust = [](sbc::SbcSettings& settings) { settings.trunk = net::SocketAddress{kRealCarrierIp, 5060}; };
    return options;
  }
  SbcBed bed;
  pstn::Carrier* carrier = nullptr;
};

const std::string kTeamsSdp =
    "v=0\r\no=- 6142 0 IN IP4 52.115.100.31\r\ns=session\r\nc=IN IP4 52.115.100.31\r\nt=0 0\r\n"
    "m=audio 52394 RTP/SAVP 0 8 101\r\n"
    "a=candidate:1 1 UDP 2130706431 52.115.100.31 52394 typ host\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n";

}  // namespace

TEST_CASE("a PSTN caller reaches Teams through the SBC and hangs up after the holding time") {
  CarrierBed setup;
  SbcBed& bed = setup.bed;
  bed.emea.invite_scripts = {{{100_ms, 180, "fork-a"}, {2_s, 200, "fork-a", "", kTeamsSdp}}};
  bed.carrier.at(1_s, [&] { setup.carrier->place_call(1, "+12065550100", "+14255550100", 5_s); });
  bed.simulation.run_until(10_s);
  // INVITE at the proxy 15 ms after it left the carrier; the 200 back at the carrier at 3.030 s,
  // whose caller hangs up 5 s later.
  CHECK(bed.emea.heard == std::vector<std::string>{"OPTIONS @90ms", "INVITE @1015ms", "ACK @3035ms", "BYE @8045ms"});
  CHECK(bed.emea.message("INVITE").request_uri().text() == "sip:+14255550100@sip.pstnhub.microsoft.com:5061;user=phone");
  CHECK(bed.emea.message("INVITE").from().uri().user() == "+12065550100");
  bed.simulation.run_until(60_s);
  CHECK(setup.carrier->calls_in_progress() == 0);
  CHECK(bed.sbc.calls_in_progress() == 0);
}

TEST_CASE("a Teams user reaches a PSTN phone through the SBC and the phone rings and answers") {
  CarrierBed setup;
  SbcBed& bed = setup.bed;
  bed.emea.at(1_s, [&bed] {
    bed.connect_to_sbc(bed.emea, [&bed](net::ConnectionId connection) {
      bed.emea.send_invite(bed.emea.invite("sip:+12065550100@sbc1.contoso.com:5061;user=phone",
                                           "<sip:+14255550100@sip.pstnhub.microsoft.com;user=phone>",
                                           "<sip:+12065550100@sbc1.contoso.com;user=phone>", kTeamsSdp),
                           bed.emea.endpoint->stream_flow(connection));
    });
  });
  bed.emea.at(8_s, [&] { bed.emea.hang_up(); });
  bed.simulation.run_until(9_s);
  // The INVITE reaches the carrier at 1.075 s: it rings 2 s and answers 5 s after that arrival.
  CHECK(only(bed.emea.heard, "18") == std::vector<std::string>{"180 INVITE @3090ms"});
  CHECK(only(bed.emea.heard, "200") == std::vector<std::string>{"200 INVITE @6090ms", "200 BYE @8020ms"});
  bed.simulation.run_until(60_s);
  CHECK(setup.carrier->calls_in_progress() == 0);
  CHECK(bed.sbc.calls_in_progress() == 0);
}
