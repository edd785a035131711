#include <doctest/doctest.h>

#include <cctype>
#include <string>
#include <utility>

#include "sim/sip/message_validation.hpp"
#include "sim/sip/parser.hpp"
#include "sim/sip/serializer.hpp"

namespace {

const std::string kInvite =
    "INVITE sip:+18338006777@sip.pstnhub.microsoft.com SIP/2.0\r\n"
    "v: SIP/2.0/TLS sbc1.contoso.com:5061;alias;branch=z9hG4bKac21;rport, SIP/2.0/UDP [2001:db8::9]:5060;branch=z9hG4bK2;received=192.0.2.1;rport=5070\r\n"
    "Max-Forwards: 68\r\n"
    "f: \"Bob\" <sip:+17168712781@sbc1.contoso.com;user=phone>;tag=1c74\r\n"
    "t: <sip:+18338006777@sip.pstnhub.microsoft.com>\r\n"
    "i: abc@sbc1\r\n"
    "CSeq: 1 INVITE\r\n"
    "m: <sip:+17168712781@sbc1.contoso.com:5061;transport=tls>;expires=300, <sip:b@sbc2.contoso.com>\r\n"
    "Record-Route: <sip:p1.contoso.com;lr>, <sip:p2.contoso.com;lr>\r\n"
    "Allow: INVITE, ACK, BYE,\r\n  REFER\r\n"
    "k: timer, replaces\r\n"
    "Require: 100rel\r\n"
    "x: 1800;refresher=uac\r\n"
    "Min-SE: 90\r\n"
    "r: <sip:+1555@sip.pstnhub.microsoft.com;user=phone>\r\n"
    "b: <sip:sip.pstnhub.microsoft.com;x-m=8:orgid:1;x-t=3c4d>\r\n"
    "Replaces: 7c1d@host;to-tag=a;from-tag=b;early-only\r\n"
    "History-Info: <sip:+1@sip.pstnhub.microsoft.com;user=phone?Reason=SIP%3Bcause%3D302>;index=1\r\n"
    "Retry-After: 120 (busy);duration=60\r\n"
    "Reason: Q.850;cause=16;text=\"Normal call clearing\", SIP;cause=504\r\n"
    "P-Asserted-Identity: <sip:+17168712781@sbc1.contoso.com;user=phone>\r\n"
    "User-Agent: drsim-test/1.0\r\n"
    "X-Custom:   keep   this  \r\n"
    "c: application/sdp\r\n"
    "l: 4\r\n"
    "\r\n"
    "v=0\n";

sip::Message parse_invite() {
  auto parsed = sip::parse_message(kInvite);
  if (!parsed.ok()) FAIL(sip::format_parse_error(parsed.error()));
  return std::move(parsed).value();
}

// Every parsed part of two Vias, one built or copied and one parsed from bytes, is the same.
void check_same_via(const sip::Via& a, const sip::Via& b) {
  CHECK(a.text() == b.text());
  CHECK(a.transport() == b.transport());
  CHECK(a.host() == b.host());
  CHECK(a.host_kind() == b.host_kind());
  CHECK(a.port() == b.port());
  CHECK(a.branch() == b.branch());
  CHECK(a.received() == b.received());
  CHECK(a.rport() == b.rport());
  CHECK(a.has_rport() == b.has_rport());
  CHECK(a.has_alias() == b.has_alias());
  CHECK(a.maddr() == b.maddr());
  CHECK(a.params() == b.params());
}

}  // namespace

TEST_CASE("compact header forms and the core headers are decoded") {
  const sip::Message m = parse_invite();
  REQUIRE(m.via_count() == 2);
  CHECK(m.top_via().transport() == "TLS");
  CHECK(m.top_via().host() == "sbc1.contoso.com");
  CHECK(m.top_via().port() == std::optional<std::uint16_t>(5061));
  CHECK(m.top_via().has_alias());
  CHECK(m.top_via().has_rport());
  CHECK(m.top_via().rport().empty());
  CHECK(m.via(1).host_kind() == sip::HostKind::Ipv6);
  CHECK(m.via(1).received() == std::optional<std::string_view>("192.0.2.1"));
  CHECK(m.via(1).rport() == "5070");
  CHECK(m.from().display_name() == "Bob");
  CHECK(m.from().tag() == "1c74");
  CHECK(!m.to().has_tag());
  CHECK(m.call_id() == "abc@sbc1");
  CHECK(m.cseq().number == 1);
  CHECK(m.max_forwards() == 68);
  REQUIRE(m.contact_count() == 2);
  CHECK(m.contact(0).param("expires") == std::optional<std::string_view>("300"));
  CHECK(m.contact(0).uri().param("transport") == std::optional<std::string_view>("tls"));
  CHECK(m.body() == "v=0\n");
}

TEST_CASE("the other typed headers parse on access") {
  const sip::Message m = parse_invite();
  auto rr = m.record_route();
  REQUIRE(rr.ok());
  REQUIRE(rr->size() == 2);
  CHECK((*rr)[1].uri().host() == "p2.contoso.com");
  CHECK(m.allow() == std::vector<std::string_view>{"INVITE", "ACK", "BYE", "REFER"});
  CHECK(m.supported() == std::vector<std::string_view>{"timer", "replaces"});
  CHECK(m.require() == std::vector<std::string_view>{"100rel"});
  CHECK(m.session_expires()->seconds == 1800);
  CHECK(m.session_expires()->refresher == "uac");
  CHECK(m.min_se().value() == 90u);
  CHECK(m.refer_to()->uri().user() == "+1555");
  CHECK(m.referred_by()->uri().param("x-t") == std::optional<std::string_view>("3c4d"));
  CHECK(m.replaces()->call_id == "7c1d@host");
  CHECK(m.replaces()->early_only);
  CHECK(m.history_info()->front().param("index") == std::optional<std::string_view>("1"));
  CHECK(m.retry_after()->seconds == 120);
  CHECK(m.retry_after()->comment == "busy");
  CHECK(m.retry_after()->duration == std::optional<std::uint32_t>(60));
  auto reasons = m.reasons();
  REQUIRE(reasons.ok());
  REQUIRE(reasons->size() == 2);
  CHECK((*reasons)[0].protocol == "Q.850");
  CHECK((*reasons)[0].cause == std::optional<std::uint32_t>(16));
  CHECK((*reasons)[0].text == "Normal call clearing");
  CHECK((*reasons)[1].cause == std::optional<std::uint32_t>(504));
  CHECK(m.p_asserted_identity()->size() == 1);
  CHECK(m.user_agent() == std::optional<std::string_view>("drsim-test/1.0"));
  CHECK(m.header("x-custom") == std::optional<std::string_view>("keep   this"));
  CHECK(m.content_type() == std::optional<std::string_view>("application/sdp"));
}

TEST_CASE("serializing uses long names recomputes Content-Length and round-trips") {
  const sip::Message m = parse_invite();
  const std::string out = sip::serialize(m);
  CHECK(out.find("\r\nVia: SIP/2.0/TLS") != std::string::npos);
  CHECK(out.find("\r\nFrom: \"Bob\"") != std::string::npos);
  CHECK(out.find("\r\nContent-Length: 4\r\n") != std::string::npos);
  CHECK(out.find("\r\nAllow: INVITE, ACK, BYE, REFER\r\n") != std::string::npos);
  auto again = sip::parse_message(out);
  REQUIRE(again.ok());
  CHECK(again.value() == m);
  CHECK(sip::serialize(again.value()) == out);
}

TEST_CASE("a malformed core header rejects the message with line column and reason") {
  std::string bad = kInvite;
  bad.replace(bad.find("CSeq: 1 INVITE"), 14, "CSeq: one INVITE");
  auto parsed = sip::parse_message(bad);
  REQUIRE(!parsed.ok());
  CHECK(parsed.error().line == 7);
  CHECK(parsed.error().column == 7);
  CHECK(parsed.error().reason.find("CSeq") != std::string::npos);
  CHECK(sip::format_parse_error(parsed.error()).substr(0, 4) == "7:7:");
}

TEST_CASE("a Via with another protocol version is a wrong-version error") {
  std::string bad = kInvite;
  bad.replace(bad.find("v: SIP/2.0/TLS"), 14, "v: SIP/3.0/TLS");
  auto parsed = sip::parse_message(bad);
  REQUIRE(!parsed.ok());
  CHECK(parsed.error().kind == sip::ParseErrorKind::WrongVersion);
}

TEST_CASE("a response built from a request copies Via From To Call-ID CSeq and adds a To tag") {
  const sip::Message request = parse_invite();
  const sip::Message ringing = sip::make_response(request, 180, "", "tag-xyz");
  CHECK(ringing.status_code() == 180);
  CHECK(ringing.reason_phrase() == "Ringing");
  CHECK(ringing.via_count() == 2);
  CHECK(ringing.top_via().branch() == "z9hG4bKac21");
  CHECK(ringing.from().tag() == "1c74");
  CHECK(ringing.to().tag() == "tag-xyz");
  CHECK(ringing.call_id() == request.call_id());
  CHECK(ringing.cseq().method == "INVITE");
  CHECK(ringing.record_route()->size() == 2);
  const sip::Message trying = sip::make_response(request, 100, "", "tag-xyz");
  CHECK(!trying.to().has_tag());
  CHECK(trying.record_route()->empty());
  const std::string bytes = sip::serialize(ringing);
  CHECK(bytes.substr(0, 20) == "SIP/2.0 180 Ringing\r");
  CHECK(bytes == sip::serialize(sip::make_response(request, 180, "", "tag-xyz")));
  auto parsed = sip::parse_message(bytes);
  REQUIRE(parsed.ok());
  CHECK(parsed.value() == ringing);
}

TEST_CASE("a response's copied core headers index as if parsed from its bytes") {
  // make_response carries the request's parsed parts over instead of parsing again; every view
  // must equal what a parse of the response's own bytes yields.
  const std::string text =
      "INVITE sip:+14255550100@sbc.contoso.com SIP/2.0\r\n"
      "Via: SIP/2.0/TLS [2001:db8::1]:5061;branch=z9hG4bKa;received=192.0.2.7, SIP/2.0/UDP p.example.com;rport;branch=z9hG4bKb\r\n"
      "v: SIP/2.0/TCP 198.51.100.9:5070;maddr=198.51.100.10;branch=z9hG4bKc\r\n"
      "From: \"Alice\" <sip:+12065550101@pstn.example.com;user=phone>;tag=f1;x=y\r\n"
      "To: <tel:+14255550100;phone-context=example.com>;tag\r\n"
      "Call-ID: 42@198.51.100.9\r\n"
      "CSeq: 7 INVITE\r\n"
      "Content-Length: 0\r\n\r\n";
  auto request = sip::parse_message(text);
  REQUIRE(request.ok());
  sip::Message response = sip::make_response(request.value(), 183, "", "ignored");
  const auto check_same = [](const sip::Message& built) {
    auto parsed = sip::parse_message(sip::serialize(built));
    REQUIRE(parsed.ok());
    const sip::Message& reference = parsed.value();
    REQUIRE(built.via_count() == reference.via_count());
    for (std::size_t i = 0; i < built.via_count(); ++i) check_same_via(built.via(i), reference.via(i));
    for (const auto& [a, b] : {std::pair{built.from(), reference.from()}, std::pair{built.to(), reference.to()}}) {
      CHECK(a.text() == b.text());
      CHECK(a.display_name_raw() == b.display_name_raw());
      CHECK(a.params() == b.params());
      CHECK(a.has_tag() == b.has_tag());
      CHECK(a.tag() == b.tag());
      CHECK(a.uri().text() == b.uri().text());
      CHECK(a.uri().user() == b.uri().user());
      CHECK(a.uri().host() == b.uri().host());
      CHECK(a.uri().params() == b.uri().params());
    }
    CHECK(built.call_id() == reference.call_id());
    CHECK(built.cseq().number == reference.cseq().number);
    CHECK(built.cseq().method == reference.cseq().method);
  };
  check_same(response);
  // The bare ";tag" keeps its position, so a tag can still be given to it.
  CHECK(response.to().has_tag());
  response.set_to_tag("t9");
  CHECK(response.to().tag() == "t9");
  check_same(response);
}

TEST_CASE("a request built by code serializes byte for byte the same every time") {
  const auto build = [] {
    sip::Message options = sip::Message::request("OPTIONS", "sip:sip.pstnhub.microsoft.com:5061");
    options.add_header("Via", "SIP/2.0/TLS sbc1.contoso.com:5061;branch=z9hG4bK1");
    options.add_header("Max-Forwards", "70");
    options.add_header("From", "<sip:sbc1.contoso.com>;tag=a");
    options.add_header("To", "<sip:sip.pstnhub.microsoft.com>");
    options.add_header("Call-ID", "c1");
    options.add_header("CSeq", "1 OPTIONS");
    options.add_header("Contact", "<sip:sbc1.contoso.com:5061;transport=tls>");
    return options;
  };
  const std::string expected =
      "OPTIONS sip:sip.pstnhub.microsoft.com:5061 SIP/2.0\r\n"
      "Via: SIP/2.0/TLS sbc1.contoso.com:5061;branch=z9hG4bK1\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:sbc1.contoso.com>;tag=a\r\n"
      "To: <sip:sip.pstnhub.microsoft.com>\r\n"
      "Call-ID: c1\r\n"
      "CSeq: 1 OPTIONS\r\n"
      "Contact: <sip:sbc1.contoso.com:5061;transport=tls>\r\n"
      "Content-Length: 0\r\n"
      "\r\n";
  CHECK(sip::serialize(build()) == expected);
  CHECK(sip::serialize(build()) == sip::serialize(build()));
  CHECK(!sip::validate_message(build()).has_value());
}

TEST_CASE("headers can be prepended replaced and removed and the body set") {
  sip::Message m = parse_invite();
  m.prepend_header("Via", "SIP/2.0/TLS proxy.example.com;branch=z9hG4bKtop");
  CHECK(m.via_count() == 3);
  CHECK(m.top_via().host() == "proxy.example.com");
  m.remove_first_header("Via");
  CHECK(m.top_via().host() == "sbc1.contoso.com");
  m.set_header("Max-Forwards", "67");
  CHECK(m.max_forwards() == 67);
  CHECK(m.remove_headers("X-Custom") == 1);
  CHECK(!m.header("X-Custom").has_value());
  m.set_to_tag("t1");
  m.set_to_tag("t2");
  CHECK(m.to().tag() == "t2");
  m.set_body("application/sdp", "v=0\r\n");
  const std::string out = sip::serialize(m);
  CHECK(out.find("Content-Length: 5\r\n") != std::string::npos);
  auto again = sip::parse_message(out);
  REQUIRE(again.ok());
  CHECK(again.value() == m);
}

TEST_CASE("messages that differ in a header value or body are not equal") {
  const sip::Message a = parse_invite();
  sip::Message b = parse_invite();
  CHECK(a == b);
  b.set_header("User-Agent", "other");
  CHECK(!(a == b));
  sip::Message c = parse_invite();
  c.set_body("", "v=1\n");
  CHECK(!(a == c));
}

TEST_CASE("start-line errors: bad status codes missing SP extra SP") {
  CHECK(!sip::parse_message("SIP/2.0 20 OK\r\n\r\n").ok());
  CHECK(!sip::parse_message("SIP/2.0 200OK\r\n\r\n").ok());
  CHECK(!sip::parse_message("SIP/2.0 099 X\r\n\r\n").ok());
  CHECK(sip::parse_message("SIP/3.0 200 OK\r\n\r\n").error().kind == sip::ParseErrorKind::WrongVersion);
  CHECK(sip::parse_message("OPTIONS sip:a@b.c SIP/2.0").error().kind == sip::ParseErrorKind::Truncated);
  CHECK(!sip::parse_message("").ok());
}

TEST_CASE("set_to_tag gives a bare tag parameter a value") {
  // Found by tests/fuzz: the value went straight after the name, ";tagt1", and the To had no tag.
  std::string text = kInvite;
  const std::string to = "t: <sip:+18338006777@sip.pstnhub.microsoft.com>";
  text.replace(text.find(to), to.size(), to + ";tag");
  auto parsed = sip::parse_message(text);
  REQUIRE(parsed.ok());
  sip::Message m = std::move(parsed).value();
  m.set_to_tag("t1");
  CHECK(m.to().tag() == "t1");
  CHECK(m.header(sip::HeaderId::To) ==
        std::optional<std::string_view>("<sip:+18338006777@sip.pstnhub.microsoft.com>;tag=t1"));
}

TEST_CASE("an error inside a folded header value is placed where the sender wrote it") {
  // Unfolding shifts the value left; the position used to be taken from the unfolded copy, so
  // it pointed 4 bytes early (CRLF and three SP became one SP).
  const std::string text =
      "OPTIONS sip:sbc1.contoso.com SIP/2.0\r\n"
      "Contact: <sip:a@sbc1.contoso.com>,\r\n"
      "   <sip:[zz]>\r\n"
      "Content-Length: 0\r\n"
      "\r\n";
  auto parsed = sip::parse_message(text);
  REQUIRE(!parsed.ok());
  CHECK(parsed.error().offset == text.find("zz"));
  CHECK(parsed.error().line == 3);
  CHECK(parsed.error().column == 10);
  CHECK(parsed.error().reason == "Contact: invalid IPv6 address");
}

TEST_CASE("header names are recognised in any case and only when spelled exactly") {
  const char* names[] = {"Accept", "Accept-Contact", "Allow", "Allow-Events", "Authorization", "Call-ID",
                         "Contact", "Content-Encoding", "Content-Length", "Content-Type", "CSeq", "Date",
                         "Event", "Expires", "From", "History-Info", "Identity", "Max-Forwards", "Min-SE",
                         "P-Asserted-Identity", "Proxy-Require", "Reason", "Record-Route", "Refer-To",
                         "Referred-By", "Replaces", "Require", "Retry-After", "Route", "Server",
                         "Session-Expires", "Subject", "Supported", "To", "Unsupported", "User-Agent", "Via"};
  for (const char* canonical : names) {
    const sip::HeaderId id = sip::header_id(canonical);
    INFO(std::string(canonical));
    REQUIRE(id != sip::HeaderId::Unknown);
    CHECK(sip::canonical_name(id) == canonical);
    std::string lower = canonical;
    std::string upper = canonical;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(sip::header_id(lower) == id);
    CHECK(sip::header_id(upper) == id);
    // One byte off anywhere, one byte more or less: not this header. A CR where the name has
    // '-' must not match either (OR-ing 0x20 into CR gives '-').
    for (std::size_t k = 0; k < lower.size(); ++k) {
      std::string changed = lower;
      changed[k] = changed[k] == '-' ? '\r' : static_cast<char>(changed[k] ^ 0x01);
      CHECK(sip::header_id(changed) != id);
    }
    CHECK(sip::header_id(lower + "s") != id);
    // ("t" is To's compact form, §7.3.3.)
    if (lower.size() > 2) CHECK(sip::header_id(lower.substr(0, lower.size() - 1)) != id);
  }
  CHECK(sip::header_id("X-MS-SBC") == sip::HeaderId::Unknown);
  CHECK(sip::header_id("") == sip::HeaderId::Unknown);
  CHECK(sip::header_id("v") == sip::HeaderId::Via);
}

TEST_CASE("set_to_tag on a To without a tag indexes as if parsed from the response's bytes") {
  // set_to_tag moves the To parts instead of parsing the new value; each view, and where it
  // sits inside the value, must equal what a parse of the response's own bytes yields.
  for (const std::string to : {"<sip:+14255550100@sbc.contoso.com>", "<sip:+14255550100@sbc.contoso.com>;x=y",
                               "\"Bob \\\"B\\\"\" <sip:bob@[2001:db8::1]:5061;transport=tls?h=v>;a;b=c",
                               "sip:bob@example.com", "sip:bob@198.51.100.9:5070;x=y", "tel:+14255550100",
                               "Bob <tel:+14255550100;phone-context=example.com>", "sip:example.com;lr ; q=1"}) {
    INFO(to);
    const std::string text = "INVITE sip:+14255550100@sbc.contoso.com SIP/2.0\r\n"
                             "Via: SIP/2.0/UDP 198.51.100.9;branch=z9hG4bKa\r\n"
                             "From: <sip:a@example.com>;tag=f1\r\n"
                             "To: " + to + "\r\n"
                             "Call-ID: 42@198.51.100.9\r\n"
                             "CSeq: 7 INVITE\r\n"
                             "Content-Length: 0\r\n\r\n";
    auto request = sip::parse_message(text);
    REQUIRE(request.ok());
    const sip::Message response = sip::make_response(request.value(), 180, "", "t-42");
    auto parsed = sip::parse_message(sip::serialize(response));
    REQUIRE(parsed.ok());
    const sip::NameAddr a = response.to();
    const sip::NameAddr b = parsed.value().to();
    // Where a part sits in the value; an absent part views the buffer's start, so it has none.
    const auto at = [](const sip::NameAddr& address, std::string_view part) {
      return part.empty() ? std::ptrdiff_t{-1} : part.data() - address.text().data();
    };
    CHECK(a.text() == b.text());
    CHECK(a.display_name_raw() == b.display_name_raw());
    CHECK(at(a, a.display_name_raw()) == at(b, b.display_name_raw()));
    CHECK(a.params() == b.params());
    CHECK(at(a, a.params()) == at(b, b.params()));
    CHECK(a.has_tag());
    CHECK(a.tag() == "t-42");
    CHECK(at(a, a.tag()) == at(b, b.tag()));
    CHECK(a.angle_brackets() == b.angle_brackets());
    CHECK(a.uri().text() == b.uri().text());
    CHECK(at(a, a.uri().text()) == at(b, b.uri().text()));
    CHECK(a.uri().scheme_kind() == b.uri().scheme_kind());
    CHECK(a.uri().user() == b.uri().user());
    CHECK(a.uri().host() == b.uri().host());
    CHECK(a.uri().host_kind() == b.uri().host_kind());
    CHECK(a.uri().port() == b.uri().port());
    CHECK(a.uri().params() == b.uri().params());
    CHECK(a.uri().headers() == b.uri().headers());
    CHECK(a.param("tag") == std::optional<std::string_view>("t-42"));
  }
}

TEST_CASE("a prepended Via list indexes as if the message were parsed") {
  // prepend_header parses only the new Via field and keeps the parts of the others.
  sip::Message m = parse_invite();
  m.prepend_header("Via", "SIP/2.0/TLS p1.example.com:5061;branch=z9hG4bKp1, SIP/2.0/UDP [2001:db8::7];rport;branch=z9hG4bKp2");
  m.prepend_header("v", "SIP/2.0/TCP 192.0.2.9;branch=z9hG4bKp3;received=192.0.2.10");
  auto parsed = sip::parse_message(sip::serialize(m));
  REQUIRE(parsed.ok());
  const sip::Message& reference = parsed.value();
  REQUIRE(m.via_count() == 5);
  REQUIRE(reference.via_count() == 5);
  for (std::size_t i = 0; i < m.via_count(); ++i) {
    INFO(i);
    check_same_via(m.via(i), reference.via(i));
  }
  CHECK(m.top_via().branch() == "z9hG4bKp3");
}

TEST_CASE("every status code RFC 3261 section 21 defines has its reason phrase") {
  // §21, in order; a model answering with a code gets the RFC's words, never "Unknown".
  const std::pair<int, std::string_view> defined[] = {
      {100, "Trying"}, {180, "Ringing"}, {181, "Call Is Being Forwarded"}, {182, "Queued"},
      {183, "Session Progress"}, {200, "OK"}, {300, "Multiple Choices"}, {301, "Moved Permanently"},
      {302, "Moved Temporarily"}, {305, "Use Proxy"}, {380, "Alternative Service"}, {400, "Bad Request"},
      {401, "Unauthorized"}, {402, "Payment Required"}, {403, "Forbidden"}, {404, "Not Found"},
      {405, "Method Not Allowed"}, {406, "Not Acceptable"}, {407, "Proxy Authentication Required"},
      {408, "Request Timeout"}, {410, "Gone"}, {413, "Request Entity Too Large"}, {414, "Request-URI Too Long"},
      {415, "Unsupported Media Type"}, {416, "Unsupported URI Scheme"}, {420, "Bad Extension"},
      {421, "Extension Required"}, {423, "Interval Too Brief"}, {480, "Temporarily Unavailable"},
      {481, "Call/Transaction Does Not Exist"}, {482, "Loop Detected"}, {483, "Too Many Hops"},
      {484, "Address Incomplete"}, {485, "Ambiguous"}, {486, "Busy Here"}, {487, "Request Terminated"},
      {488, "Not Acceptable Here"}, {491, "Request Pending"}, {493, "Undecipherable"},
      {500, "Server Internal Error"}, {501, "Not Implemented"}, {502, "Bad Gateway"},
      {503, "Service Unavailable"}, {504, "Server Time-out"}, {505, "Version Not Supported"},
      {513, "Message Too Large"}, {600, "Busy Everywhere"}, {603, "Decline"},
      {604, "Does Not Exist Anywhere"}, {606, "Not Acceptable"}};
  // Not a structured binding: clang 14 cannot capture one in CAPTURE's lambda.
  for (const auto& code_and_phrase : defined) {
    const int code = code_and_phrase.first;
    CAPTURE(code);
    CHECK(sip::default_reason_phrase(code) == code_and_phrase.second);
  }
  CHECK(sip::default_reason_phrase(499) == "Unknown");
}
