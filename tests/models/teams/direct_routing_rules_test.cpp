#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <string>

#include "models/teams/direct_routing_rules.hpp"
#include "sim/sip/parser.hpp"

namespace {

const std::string kSdp = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5000 RTP/SAVP 0\r\n";

struct Invite {
  std::string request_uri = "sip:+18338006777@sip.pstnhub.microsoft.com;user=phone";
  std::string from = "<sip:+17168712781@sbc1.contoso.com;user=phone>;tag=1";
  std::string contact = "Contact: <sip:+17168712781@sbc1.contoso.com:5061;transport=tls>\r\n";
  std::string extra;
  bool with_sdp = true;
  std::string method = "INVITE";

  std::string bytes() const {
    const std::string body = with_sdp ? kSdp : "";
    return method + " " + request_uri + " SIP/2.0\r\n"
           "Via: SIP/2.0/TLS sbc1.contoso.com:5061;branch=z9hG4bKac1\r\n"
           "Max-Forwards: 70\r\n"
           "From: " + from + "\r\n"
           "To: <sip:+18338006777@sip.pstnhub.microsoft.com>\r\n"
           "Call-ID: c1@sbc1\r\n"
           "CSeq: 1 " + method + "\r\n" + contact + extra +
           (with_sdp ? "Content-Type: application/sdp\r\n" : "") +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }
};

std::vector<teams::RuleViolation> check(const Invite& invite) {
  auto parsed = sip::parse_message(invite.bytes());
  if (!parsed.ok()) FAIL(sip::format_parse_error(parsed.error()));
  return teams::check_direct_routing_rules(parsed.value());
}

// A copy, so callers may pass the temporary result of check() directly.
std::optional<teams::RuleViolation> find_rule(const std::vector<teams::RuleViolation>& found, std::string_view id) {
  auto it = std::find_if(found.begin(), found.end(), [&](const auto& v) { return v.rule_id == id; });
  if (it == found.end()) return std::nullopt;
  return *it;
}

}  // namespace

TEST_CASE("a compliant INVITE from the SBC breaks no Direct Routing rule") {
  CHECK(check(Invite{}).empty());
}

TEST_CASE("a Contact with an IP address is refused with 403") {
  Invite invite;
  invite.contact = "Contact: <sip:+17168712781@192.0.2.10:5061;transport=tls>\r\n";
  const auto found = check(invite);
  const auto rule = find_rule(found, "contact-ip-address");
  REQUIRE(rule != std::nullopt);
  CHECK(rule->status_code == 403);
  CHECK(rule->response == "403 Forbidden");
  invite.contact = "Contact: <sip:[2001:db8::1]:5061;transport=tls>\r\n";
  CHECK(find_rule(check(invite), "contact-ip-address") != std::nullopt);
}

TEST_CASE("a Record-Route with an IP address is refused with 403 one with an FQDN passes") {
  Invite invite;
  invite.extra = "Record-Route: <sip:10.0.0.1;lr>\r\n";
  const auto rule = find_rule(check(invite), "record-route-ip-address");
  REQUIRE(rule != std::nullopt);
  CHECK(rule->status_code == 403);
  invite.extra = "Record-Route: <sip:sbc-proxy.contoso.com;lr>\r\n";
  CHECK(check(invite).empty());
}

TEST_CASE("a Request-URI number without '+' is not found (404)") {
  Invite invite;
  invite.request_uri = "sip:18338006777@sip.pstnhub.microsoft.com;user=phone";
  const auto rule = find_rule(check(invite), "request-uri-not-e164");
  REQUIRE(rule != std::nullopt);
  CHECK(rule->status_code == 404);
  invite.request_uri = "sip:18338006777@sip.pstnhub.microsoft.com";  // guessed phone number
  CHECK(find_rule(check(invite), "request-uri-not-e164") != std::nullopt);
  invite.request_uri = "sip:alice@sip.pstnhub.microsoft.com";  // not a number: no E.164 rule
  CHECK(find_rule(check(invite), "request-uri-not-e164") == std::nullopt);
}

TEST_CASE("a From number without '+' is reported") {
  Invite invite;
  invite.from = "<sip:7168712781@sbc1.contoso.com;user=phone>;tag=1";
  const auto rule = find_rule(check(invite), "from-not-e164");
  REQUIRE(rule != std::nullopt);
  CHECK(rule->status_code == 404);
}

TEST_CASE("INVITE and OPTIONS need a Contact") {
  Invite invite;
  invite.contact = "";
  CHECK(find_rule(check(invite), "contact-missing") != std::nullopt);
  Invite options;
  options.method = "OPTIONS";
  options.request_uri = "sip:sip.pstnhub.microsoft.com:5061";
  options.with_sdp = false;
  CHECK(check(options).empty());
  options.contact = "";
  const auto rule = find_rule(check(options), "contact-missing");
  REQUIRE(rule != std::nullopt);
  CHECK(rule->status_code == 400);
}

TEST_CASE("'@' with an empty user part is reported (RFC 3261 §19.1.1)") {
  Invite invite;
  invite.method = "OPTIONS";
  invite.with_sdp = false;
  invite.request_uri = "sip:@sip.pstnhub.microsoft.com:5061";
  CHECK(find_rule(check(invite), "empty-user-part") != std::nullopt);
  invite.request_uri = "sip:sip.pstnhub.microsoft.com:5061";  // no user at all is fine
  CHECK(find_rule(check(invite), "empty-user-part") == std::nullopt);
}

TEST_CASE("a Contact toward Microsoft without transport=tls is reported") {
  Invite invite;
  invite.contact = "Contact: <sip:+17168712781@sbc1.contoso.com:5061>\r\n";
  CHECK(find_rule(check(invite), "contact-not-tls") != std::nullopt);
  invite.contact = "Contact: <sips:+17168712781@sbc1.contoso.com:5061>\r\n";
  CHECK(find_rule(check(invite), "contact-not-tls") == std::nullopt);
  invite.request_uri = "sip:+18338006777@carrier.example.net;user=phone";  // not toward Microsoft
  invite.contact = "Contact: <sip:+17168712781@sbc1.contoso.com:5060>\r\n";
  CHECK(find_rule(check(invite), "contact-not-tls") == std::nullopt);
}

TEST_CASE("an INVITE without SDP (delayed offer) is reported") {
  Invite invite;
  invite.with_sdp = false;
  const auto rule = find_rule(check(invite), "invite-without-sdp");
  REQUIRE(rule != std::nullopt);
  CHECK(rule->status_code == 488);
}

TEST_CASE("Refer-To and Referred-By of 400 characters and more are fine") {
  Invite refer;
  refer.method = "REFER";
  refer.with_sdp = false;
  refer.request_uri = "sip:+18338006777@sbc1.contoso.com:5061;transport=tls";
  const std::string long_param(420, 'a');
  refer.extra = "Refer-To: <sip:+442079460999@sip.pstnhub.microsoft.com;user=phone;x-m=" + long_param + ">\r\n"
                "Referred-By: <sip:sip.pstnhub.microsoft.com;x-m=8:orgid:" + long_param + ";x-t=3c4d>\r\n";
  auto parsed = sip::parse_message(refer.bytes());
  REQUIRE(parsed.ok());
  CHECK(parsed->refer_to()->text().size() > 400);
  CHECK(teams::check_direct_routing_rules(parsed.value()).empty());
}

TEST_CASE("lint_stream checks every message of a capture and says where the broken one is") {
  Invite good;
  Invite ip_contact;
  ip_contact.contact = "Contact: <sip:+17168712781@192.0.2.10:5061;transport=tls>\r\n";
  const std::string capture = good.bytes() + "\r\n\r\n" + ip_contact.bytes();
  const auto results = teams::lint_stream(capture);
  REQUIRE(results.size() == 2);
  CHECK(results[0].violations.empty());
  CHECK(results[1].line > 10);
  CHECK(teams::lint_exit_code(results) == 1);
  const auto lines = teams::format_lint_lines(results);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("contact-ip-address") != std::string::npos);
  CHECK(lines[0].find("403 Forbidden") != std::string::npos);

  const auto clean = teams::lint_stream(good.bytes() + good.bytes());
  CHECK(teams::lint_exit_code(clean) == 0);
  CHECK(teams::format_lint_lines(clean) ==
        std::vector<std::string>{"2 messages: well-formed and following the Direct Routing rules"});
}

TEST_CASE("lint_stream flags what RFC 3261 forbids before the Direct Routing rules") {
  // A user's review: an OPTIONS without Call-ID, Max-Forwards or a proper branch passed lint.
  struct Case {
    std::string from;
    std::string to;
    std::string rule;
  };
  for (const Case& broken : {Case{"Call-ID: c1@sbc1\r\n", "", "rfc3261"},
                             Case{"Via: SIP/2.0/TLS sbc1.contoso.com:5061;branch=z9hG4bKac1\r\n", "", "rfc3261"},
                             Case{"Max-Forwards: 70\r\n", "", "max-forwards-missing"},
                             Case{"branch=z9hG4bKac1", "branch=abc", "via-branch-cookie"},
                             Case{"CSeq: 1 INVITE", "CSeq: 1 OPTIONS", "rfc3261"}}) {
    CAPTURE(broken.from);
    std::string bytes = Invite{}.bytes();
    bytes.replace(bytes.find(broken.from), broken.from.size(), broken.to);
    const auto results = teams::lint_stream(bytes);
    REQUIRE(results.size() == 1);
    REQUIRE_FALSE(results[0].parse_error.has_value());
    CHECK(find_rule(results[0].violations, broken.rule).has_value());
    CHECK(teams::lint_exit_code(results) == 1);
  }
  CHECK(teams::lint_stream(Invite{}.bytes())[0].violations.empty());
}

TEST_CASE("lint_stream reports a malformed message with file line and column and the Microsoft code") {
  Invite good;
  std::string bad = good.bytes();
  bad.replace(0, bad.find(" SIP/2.0"), "INVITE sip:+18338006777@sip.pstnhub.microsoft.com");
  bad.replace(bad.find("SIP/2.0\r\n"), 7, "SIP/3.0");
  const std::string capture = good.bytes() + bad;
  const auto results = teams::lint_stream(capture);
  REQUIRE(results.size() == 2);
  REQUIRE(results[1].parse_error.has_value());
  CHECK(results[1].parse_error->kind == sip::ParseErrorKind::WrongVersion);
  CHECK(results[1].parse_error->line == results[1].line);
  CHECK(teams::lint_exit_code(results) == 2);
  const auto lines = teams::format_lint_lines(results);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("549002 Invalid request/response") != std::string::npos);

  std::string cut = good.bytes();
  cut.resize(cut.size() - 10);
  const auto truncated = teams::lint_stream(good.bytes() + cut);
  REQUIRE(truncated.size() == 2);
  CHECK(truncated[1].parse_error.has_value());
  CHECK(teams::lint_exit_code(truncated) == 2);
}
