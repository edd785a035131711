// OPTIONS between the SBC and Microsoft (facts §2.1, §3.1): the SBC's pings, their cadence and
// bytes, the health they give each proxy FQDN, and the SBC's answer to Microsoft's OPTIONS.
#include <doctest/doctest.h>

#include "tests/models/sbc/sbc_test_bed.hpp"

using namespace sbc_test;
using sbc::ProxyHealth;

TEST_CASE("the SBC pings every proxy FQDN at start and then every options_interval") {
  SbcBed bed;
  bed.simulation.run_until(125_s);
  // Resolved at 20 ms; TLS up 2 round trips after the TCP handshake: 80, 140 and 260 ms; each
  // OPTIONS then takes one way. Later rounds reuse the connections.
  CHECK(only(bed.emea.heard, "OPTIONS") == std::vector<std::string>{"OPTIONS @90ms", "OPTIONS @60010ms", "OPTIONS @120010ms"});
  CHECK(only(bed.noam.heard, "OPTIONS") == std::vector<std::string>{"OPTIONS @160ms", "OPTIONS @60020ms", "OPTIONS @120020ms"});
  CHECK(only(bed.asia.heard, "OPTIONS") == std::vector<std::string>{"OPTIONS @300ms", "OPTIONS @60040ms", "OPTIONS @120040ms"});
  CHECK(only(bed.emea.problems, "accepted") == std::vector<std::string>{"accepted @50ms"});
}

TEST_CASE("the SBC's OPTIONS has the spec's form: no user part and a Contact naming the SBC FQDN") {
  SbcBed bed;
  bed.simulation.run_until(1_s);
  const std::string branch = sip::make_branch(sip::branch_sender_id("sbc1"), 1);
  CHECK(sip::serialize(bed.emea.message("OPTIONS")) ==
        "OPTIONS sip:sip.pstnhub.microsoft.com:5061 SIP/2.0\r\n"
        "Via: SIP/2.0/TLS sbc1.contoso.com:5061;branch=" + branch + "\r\n"
        "Max-Forwards: 70\r\n"
        "From: <sip:sbc1.contoso.com:5061>;tag=00000001\r\n"
        "To: <sip:sip.pstnhub.microsoft.com:5061>\r\n"
        "Call-ID: 1@sbc1.contoso.com\r\n"
        "CSeq: 1 OPTIONS\r\n"
        "Contact: <sip:sbc1.contoso.com:5061;transport=tls>\r\n"
        "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, PRACK, UPDATE, INFO\r\n"
        "Content-Length: 0\r\n\r\n");
}

TEST_CASE("a proxy is up after a 200 and down after a non-2xx or a DNS failure") {
  BedOptions options;
  options.sip3_in_dns = false;
  SbcBed bed(options);
  bed.noam.options_status = 503;
  CHECK(bed.sbc.health("sip.pstnhub.microsoft.com") == ProxyHealth::Unknown);
  bed.simulation.run_until(20_ms);
  CHECK(bed.sbc.health("sip3.pstnhub.microsoft.com") == ProxyHealth::Unknown);
  bed.simulation.run_until(21_ms);  // NXDOMAIN answered at 20 ms
  CHECK(bed.sbc.health("sip3.pstnhub.microsoft.com") == ProxyHealth::Down);
  bed.simulation.run_until(100_ms);
  CHECK(bed.sbc.health("sip.pstnhub.microsoft.com") == ProxyHealth::Unknown);
  bed.simulation.run_until(101_ms);  // the 200 is back at 100 ms
  CHECK(bed.sbc.health("sip.pstnhub.microsoft.com") == ProxyHealth::Up);
  bed.simulation.run_until(181_ms);  // the 503 is back at 180 ms
  CHECK(bed.sbc.health("sip2.pstnhub.microsoft.com") == ProxyHealth::Down);
  // The next round asks again: a recovered proxy comes back up.
  bed.noam.options_status = 200;
  bed.simulation.run_until(60041_ms);
  CHECK(bed.sbc.health("sip2.pstnhub.microsoft.com") == ProxyHealth::Up);
  CHECK_FALSE(bed.sbc.health("sip4.pstnhub.microsoft.com").has_value());
}

TEST_CASE("a proxy that never answers OPTIONS is down when Timer F fires") {
  SbcBed bed;
  bed.emea.options_status = 0;
  bed.simulation.run_until(32080_ms);  // sent at 80 ms; Timer F = 64*T1 = 32 s
  CHECK(bed.sbc.health("sip.pstnhub.microsoft.com") == ProxyHealth::Unknown);
  bed.simulation.run_until(32081_ms);
  CHECK(bed.sbc.health("sip.pstnhub.microsoft.com") == ProxyHealth::Down);
  // The round at 60 s pings it again (the last ping is settled).
  bed.simulation.run_until(61_s);
  CHECK(only(bed.emea.heard, "OPTIONS") == std::vector<std::string>{"OPTIONS @90ms", "OPTIONS @60010ms"});
}

TEST_CASE("calls skip a proxy that is down and go to the next FQDN in list order") {
  SbcBed bed;
  bed.emea.options_status = 503;
  bed.noam.invite_scripts = {{{100_ms, 180, "ring"}}};
  bed.carrier_calls(1_s, "+14255550100");
  bed.simulation.run_until(2_s);
  CHECK(only(bed.emea.heard, "INVITE").empty());
  // Carrier 5 ms to the SBC, then 20 ms to the second datacenter.
  CHECK(only(bed.noam.heard, "INVITE") == std::vector<std::string>{"INVITE @1025ms"});
  CHECK(bed.sbc.failovers() == 0);
}

TEST_CASE("Microsoft's OPTIONS to the SBC is answered 200 with the SBC's Allow") {
  SbcBed bed;
  bed.simulation.run_until(1_s);
  bed.connect_to_sbc(bed.emea, [&](net::ConnectionId connection) {
    sip::Message options = sip::Message::request("OPTIONS", "sip:sbc1.contoso.com:5061");
    options.add_header("Via", bed.emea.via());
    options.add_header("Max-Forwards", "70");
    options.add_header("From", "<sip:sip.pstnhub.microsoft.com:5061>;tag=ms1");
    options.add_header("To", "<sip:sbc1.contoso.com:5061>");
    options.add_header("Call-ID", "ms-options-1");
    options.add_header("CSeq", "1 OPTIONS");
    options.add_header("Contact", "<sip:sip.pstnhub.microsoft.com:5061;transport=tls>");
    bed.emea.layer->send_request(std::move(options), bed.emea.endpoint->stream_flow(connection));
  });
  bed.simulation.run_until(2_s);
  // Connect at 1 s: TLS up at 1.060 s, OPTIONS at the SBC 10 ms later, the 200 back 10 ms after.
  CHECK(only(bed.emea.heard, "200 OPTIONS") == std::vector<std::string>{"200 OPTIONS @1080ms"});
  const sip::Message& ok = bed.emea.message("200 OPTIONS");
  CHECK(ok.header("Allow") == std::optional<std::string_view>("INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, PRACK, UPDATE, INFO"));
  CHECK(ok.header("Contact") == std::optional<std::string_view>("<sip:sbc1.contoso.com:5061;transport=tls>"));
  CHECK(ok.to().has_tag());
}
