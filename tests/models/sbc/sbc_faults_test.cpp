#include "models/sbc/sbc_faults.hpp"

#include <doctest/doctest.h>

#include <string>

#include "sim/sip/parser.hpp"
#include "tests/models/sbc/sbc_test_bed.hpp"

using namespace sbc_test;

namespace {

const std::string kResponse =
    "SIP/2.0 180 Ringing\r\n"
    "Via: SIP/2.0/TLS sip.pstnhub.microsoft.com:5061;branch=z9hG4bK1\r\n"
    "From: <sip:+14255550100@sip.pstnhub.microsoft.com;user=phone>;tag=a\r\n"
    "To: <sip:+12065550100@sbc1.contoso.com;user=phone>;tag=b\r\n"
    "Call-ID: 1@sip.pstnhub.microsoft.com\r\n"
    "CSeq: 1 INVITE\r\n"
    "Content-Length: 0\r\n\r\n";

const std::string kRequest =
    "OPTIONS sip:sip.pstnhub.microsoft.com:5061 SIP/2.0\r\n"
    "Via: SIP/2.0/TLS sbc1.contoso.com:5061;branch=z9hG4bK2\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:sbc1.contoso.com:5061>;tag=1\r\n"
    "To: <sip:sip.pstnhub.microsoft.com:5061>\r\n"
    "Call-ID: 1@sbc1.contoso.com\r\n"
    "CSeq: 12 OPTIONS\r\n"
    "Content-Length: 0\r\n\r\n";

sip::ParseErrorKind parse_failure(const std::string& bytes) {
  auto parsed = sip::parse_message(bytes, sip::Framing::Stream);
  REQUIRE_FALSE(parsed.ok());
  return parsed.error().kind;
}

}  // namespace

TEST_CASE("the messages of both corruptions are otherwise valid SIP") {
  CHECK(sip::parse_message(kResponse, sip::Framing::Stream).ok());
  CHECK(sip::parse_message(kRequest, sip::Framing::Stream).ok());
  CHECK(sbc::corrupt_sip(kRequest, sbc::SipCorruption::None) == kRequest);
}

TEST_CASE("sbc_invalid_sip drops SIP/2.0 from a status line and from a request line") {
  const std::string response = sbc::corrupt_sip(kResponse, sbc::SipCorruption::MissingVersion);
  CHECK(response.substr(0, response.find("\r\n")) == "180 Ringing");
  CHECK(parse_failure(response) == sip::ParseErrorKind::WrongVersion);
  const std::string request = sbc::corrupt_sip(kRequest, sbc::SipCorruption::MissingVersion);
  CHECK(request.substr(0, request.find("\r\n")) == "OPTIONS sip:sip.pstnhub.microsoft.com:5061");
  CHECK(parse_failure(request) == sip::ParseErrorKind::WrongVersion);
}

TEST_CASE("sbc_malformed_sip leaves CSeq without its number") {
  const std::string request = sbc::corrupt_sip(kRequest, sbc::SipCorruption::Malformed);
  CHECK(request.find("\r\nCSeq: OPTIONS\r\n") != std::string::npos);
  CHECK(request.size() == kRequest.size() - 3);
  CHECK(parse_failure(request) == sip::ParseErrorKind::Malformed);
  CHECK(parse_failure(sbc::corrupt_sip(kResponse, sbc::SipCorruption::Malformed)) == sip::ParseErrorKind::Malformed);
}

namespace {

// Microsoft's proxy pings the SBC at 2 s over a connection it opens (TLS up at 2.060 s).
void microsoft_pings(SbcBed& bed) {
  bed.emea.at(2_s, [&bed] {
    bed.connect_to_sbc(bed.emea, [&bed](net::ConnectionId connection) {
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
  });
}

}  // namespace

TEST_CASE("under sbc_invalid_sip Microsoft gets an answer without SIP/2.0 and resets the connection") {
  SbcBed bed;
  bed.simulation.run_until(1_s);
  bed.sbc.set_sip_corruption(sbc::SipCorruption::MissingVersion);
  microsoft_pings(bed);
  bed.simulation.run_until(3_s);
  // The OPTIONS reaches the SBC at 2.070 s; its corrupted 200 is at the proxy at 2.080 s.
  CHECK(only(bed.emea.problems, "unparsable") == std::vector<std::string>{"unparsable wrong_version @2080ms"});
  CHECK(only(bed.emea.heard, "200").empty());
}

TEST_CASE("under sbc_malformed_sip Microsoft gets a malformed answer") {
  SbcBed bed;
  bed.simulation.run_until(1_s);
  bed.sbc.set_sip_corruption(sbc::SipCorruption::Malformed);
  microsoft_pings(bed);
  bed.simulation.run_until(3_s);
  CHECK(only(bed.emea.problems, "unparsable") == std::vector<std::string>{"unparsable malformed @2080ms"});
}

TEST_CASE("the SBC's own OPTIONS go out corrupted too and the proxy is down until the fault heals") {
  SbcBed bed;
  bed.simulation.run_until(1_s);
  CHECK(bed.sbc.health("sip.pstnhub.microsoft.com") == sbc::ProxyHealth::Up);
  bed.sbc.set_sip_corruption(sbc::SipCorruption::MissingVersion);
  bed.simulation.run_until(60020_ms);
  // Sent at 60 s on the pooled connection; the proxy resets it and the RST is back at 60.020 s.
  CHECK(only(bed.emea.problems, "unparsable") == std::vector<std::string>{"unparsable wrong_version @60010ms"});
  CHECK(bed.sbc.health("sip.pstnhub.microsoft.com") == sbc::ProxyHealth::Up);
  bed.simulation.run_until(60021_ms);
  CHECK(bed.sbc.health("sip.pstnhub.microsoft.com") == sbc::ProxyHealth::Down);
  bed.sbc.set_sip_corruption(sbc::SipCorruption::None);
  // The next round opens a new connection (TLS up at 120.060 s) and the 200 is back at 120.080 s.
  bed.simulation.run_until(120081_ms);
  CHECK(bed.sbc.health("sip.pstnhub.microsoft.com") == sbc::ProxyHealth::Up);
}

TEST_CASE("an outbound call whose Microsoft leg breaks on invalid SIP is cancelled toward the carrier") {
  SbcBed bed;
  bed.carrier.invite_scripts = {{{1_s, 180, "pstn"}}};
  bed.simulation.run_until(500_ms);
  bed.sbc.set_sip_corruption(sbc::SipCorruption::MissingVersion);
  bed.emea.at(1_s, [&bed] {
    bed.connect_to_sbc(bed.emea, [&bed](net::ConnectionId connection) {
      bed.emea.send_invite(bed.emea.invite("sip:+12065550100@sbc1.contoso.com:5061;user=phone",
                                           "<sip:+14255550100@sip.pstnhub.microsoft.com;user=phone>",
                                           "<sip:+12065550100@sbc1.contoso.com;user=phone>", ""),
                           bed.emea.endpoint->stream_flow(connection));
    });
  });
  bed.simulation.run_until(3_s);
  CHECK(only(bed.emea.problems, "unparsable") == std::vector<std::string>{"unparsable wrong_version @1080ms"});
  // The carrier leg was already out; the SBC cancels it once the carrier's 100 Trying (sent by
  // its transaction 200 ms after the INVITE) is back at 1.280 s.
  CHECK(bed.carrier.heard == std::vector<std::string>{"INVITE @1075ms", "CANCEL @1285ms"});
}
