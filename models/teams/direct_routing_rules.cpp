#include "models/teams/direct_routing_rules.hpp"

#include "models/teams/microsoft_response_codes.hpp"
#include "sim/sip/message_validation.hpp"
#include "sim/sip/sip_text.hpp"
#include "sim/sip/stream_framer.hpp"

namespace teams {
namespace {

constexpr std::string_view kMicrosoftProxySuffix = "pstnhub.microsoft.com";

void add(std::vector<RuleViolation>& out, std::string_view id, std::string text, int code) {
  out.push_back(RuleViolation{std::string(id), std::move(text), code,
                              std::to_string(code) + " " + std::string(sip::default_reason_phrase(code))});
}

// A user part is a phone number when the URI says so (user=phone, RFC 3261 §19.1.1) or when it
// holds only digits and visual separators (how the proxy guesses without user=phone).
bool is_phone_number(const sip::Uri& uri) {
  if (uri.scheme_kind() == sip::UriScheme::Tel) return true;
  if (!uri.is_sip() || uri.user().empty()) return false;
  if (auto user = uri.param("user"); user && sip::iequals(*user, "phone")) return true;
  std::string_view user = uri.user();
  if (user.front() == '+') user.remove_prefix(1);
  bool digit = false;
  for (char c : user) {
    if (sip::is_digit(c)) {
      digit = true;
    } else if (c != '-' && c != '.' && c != '(' && c != ')') {
      return false;
    }
  }
  return digit;
}

bool has_empty_user(const sip::Uri& uri) { return uri.is_sip() && uri.has_user() && uri.user().empty(); }

bool body_has_sdp(const sip::Message& message) {
  if (message.body().empty()) return false;
  auto type = message.content_type();
  if (!type) return false;
  if (sip::iequals(*type, "application/sdp")) return true;
  // multipart/mixed with an SDP part (RFC 5621)
  return sip::iends_with(type->substr(0, 10), "multipart/") &&
         message.body().find("application/sdp") != std::string_view::npos;
}

}  // namespace

std::vector<RuleViolation> check_direct_routing_rules(const sip::Message& message) {
  std::vector<RuleViolation> out;
  const bool is_invite = message.is_request() && message.method() == sip::Method::Invite;
  const bool is_options = message.is_request() && message.method() == sip::Method::Options;

  // Identity is by FQDN: an IP in Contact (INVITE, OPTIONS and everything else the SBC sends)
  // or Record-Route fails the certificate match; the proxy answers 403 (facts §3.2).
  for (std::size_t i = 0; i < message.contact_count(); ++i) {
    const sip::Uri uri = message.contact(i).uri();
    if (uri.host_is_ip()) {
      add(out, "contact-ip-address",
          "Contact host " + std::string(uri.host()) + " is an IP address; Direct Routing needs the SBC FQDN", 403);
    }
  }
  if (auto record_route = message.record_route(); record_route.ok()) {
    for (const sip::NameAddr& entry : record_route.value()) {
      if (entry.uri().host_is_ip()) {
        add(out, "record-route-ip-address",
            "Record-Route host " + std::string(entry.uri().host()) + " is an IP address; use an FQDN", 403);
      }
    }
  } else {
    add(out, "record-route-malformed", "Record-Route does not parse: " + record_route.error(), 400);
  }

  // Numbers are E.164 with a leading "+": the reverse number lookup of the Request-URI fails
  // otherwise, 511404 / 404 (facts §3.2, RC-404).
  if (is_invite && is_phone_number(message.request_uri()) && message.request_uri().user().front() != '+' &&
      message.request_uri().scheme_kind() != sip::UriScheme::Tel) {
    add(out, "request-uri-not-e164",
        "Request-URI number " + std::string(message.request_uri().user()) + " does not start with '+' (E.164)",
        404);
  }
  // "the From number must contain '+'" (facts §3.2, for call blocking). Microsoft documents no
  // response code of its own for this one; the lookup behind it is the same number lookup as
  // the Request-URI's, so we report the same 404.
  if (is_invite && message.has_from()) {
    const sip::Uri from = message.from().uri();
    if (is_phone_number(from) && !from.user().empty() && from.user().front() != '+') {
      add(out, "from-not-e164",
          "From number " + std::string(from.user()) + " does not start with '+' (E.164)", 404);
    }
  }

  // Contact is required in INVITE and in OPTIONS (RFC 3261 makes it optional in OPTIONS;
  // Direct Routing does not, facts §3.1). No documented Microsoft code: a message the proxy
  // cannot use is "malformed or unsupported", 540400 / 400.
  if ((is_invite || is_options) && message.contact_count() == 0 && !message.contact_is_star()) {
    add(out, "contact-missing",
        std::string(message.method_text()) + " without a Contact header; Direct Routing requires one", 400);
  }

  // "@" with an empty user part is outside RFC 3261 §19.1.1 (user = 1*(...)); 540400 / 400.
  const auto check_empty_user = [&](const sip::Uri& uri, std::string_view where) {
    if (has_empty_user(uri)) {
      add(out, "empty-user-part",
          std::string(where) + " URI " + std::string(uri.text()) + " has '@' with an empty user part (RFC 3261 §19.1.1)",
          400);
    }
  };
  if (message.is_request()) check_empty_user(message.request_uri(), "Request-URI");
  if (message.has_from()) check_empty_user(message.from().uri(), "From");
  if (message.has_to()) check_empty_user(message.to().uri(), "To");
  for (std::size_t i = 0; i < message.contact_count(); ++i) check_empty_user(message.contact(i).uri(), "Contact");

  // Toward Microsoft the trunk is SIP over TLS only; the Contact says so with transport=tls
  // (facts §3.1: "Its form is <sip:FQDN;transport=tls>"). No documented code: 540400 / 400.
  if (message.is_request() && sip::iends_with(message.request_uri().host(), kMicrosoftProxySuffix)) {
    for (std::size_t i = 0; i < message.contact_count(); ++i) {
      const sip::Uri uri = message.contact(i).uri();
      const auto transport = uri.param("transport");
      if (uri.scheme_kind() != sip::UriScheme::Sips && !(transport && sip::iequals(*transport, "tls"))) {
        add(out, "contact-not-tls",
            "Contact " + std::string(uri.text()) + " toward Microsoft lacks transport=tls", 400);
      }
    }
  }

  // Delayed offer (INVITE without SDP) is not supported (facts §3.2). An unacceptable or absent
  // offer is answered 488 Not Acceptable Here (RFC 3261 §21.4.26); Microsoft publishes no code.
  if (is_invite && !body_has_sdp(message)) {
    add(out, "invite-without-sdp", "INVITE without an SDP offer (delayed offer is not supported)", 488);
  }
  return out;
}

std::string microsoft_advice_for(const sip::ParseError& error) {
  const auto& row = microsoft_response_code(error.kind == sip::ParseErrorKind::WrongVersion
                                                ? MicrosoftOutcome::SipVersionMissing
                                                : MicrosoftOutcome::MalformedSipOnConnection);
  return std::to_string(row.ms_code) + " " + std::string(row.phrase);
}

std::vector<LintResult> lint_stream(std::string_view bytes) {
  std::vector<LintResult> results;
  std::size_t pos = 0;
  int line = 1;
  const auto advance_lines = [&](std::size_t to) {
    for (std::size_t i = pos; i < to; ++i) line += bytes[i] == '\n' ? 1 : 0;
    pos = to;
  };
  while (pos < bytes.size()) {
    const std::string_view rest = bytes.substr(pos);
    const sip::FrameScan scan = sip::scan_frame(rest);
    if (scan.skip == rest.size()) break;  // only keep-alive CRLFs left
    advance_lines(pos + scan.skip);
    LintResult result;
    result.offset = pos;
    result.line = line;
    const auto relocate = [&](sip::ParseError error) {
      error.line += line - 1;
      error.offset += pos;
      return error;
    };
    if (scan.status != sip::FrameStatus::Complete) {
      // Unframeable or cut short: parse what is there to say precisely why, then stop.
      auto parsed = sip::parse_message(bytes.substr(pos), sip::Framing::Stream);
      sip::ParseError error;
      if (!parsed.ok()) {
        error = parsed.error();
      } else {
        error.kind = sip::ParseErrorKind::Truncated;
        error.reason = "message cut short: fewer bytes than its Content-Length";
      }
      if (scan.status == sip::FrameStatus::Error && parsed.ok()) {
        error = scan.error;
        error.offset -= scan.skip;
      }
      result.parse_error = relocate(error);
      results.push_back(std::move(result));
      break;
    }
    const std::string_view framed = bytes.substr(pos, scan.length);
    auto parsed = sip::parse_message(framed, sip::Framing::Stream);
    if (parsed.ok()) {
      const sip::Message& message = parsed.value();
      if (message.is_request()) {
        result.summary = std::string(message.method_text()) + " " + std::string(message.request_uri().text());
      } else {
        result.summary = "SIP/2.0 " + std::to_string(message.status_code()) + " " +
                         std::string(message.reason_phrase());
      }
      // What any RFC 3261 element refuses comes first: a message missing its mandatory headers
      // is not one an SBC may send, whatever the Direct Routing rules say.
      if (auto invalid = sip::validate_message(message))
        add(result.violations, "rfc3261", invalid->reason + " (RFC 3261 §8.1.1, §20)", invalid->status_code);
      if (message.is_request() && message.count_headers(sip::HeaderId::MaxForwards) == 0)
        add(result.violations, "max-forwards-missing", "no Max-Forwards: RFC 3261 §8.1.1.6 requires it on every request", 400);
      if (const sip::Via top = message.top_via(); message.via_count() > 0 && !top.branch().starts_with("z9hG4bK"))
        add(result.violations, "via-branch-cookie",
            "top Via branch does not start with the magic cookie z9hG4bK (RFC 3261 §8.1.1.7)", 400);
      for (RuleViolation& violation : check_direct_routing_rules(message)) result.violations.push_back(std::move(violation));
    } else {
      result.parse_error = relocate(parsed.error());
    }
    results.push_back(std::move(result));
    advance_lines(pos + scan.length);
  }
  return results;
}

int lint_exit_code(const std::vector<LintResult>& results) {
  int code = 0;
  for (const LintResult& result : results) {
    if (result.parse_error) return 2;
    if (!result.violations.empty()) code = 1;
  }
  return code;
}

std::vector<std::string> format_lint_lines(const std::vector<LintResult>& results) {
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const LintResult& result = results[i];
    const std::string where = "message " + std::to_string(i + 1) + " (line " + std::to_string(result.line) + ")";
    if (result.parse_error) {
      const sip::ParseError& error = *result.parse_error;
      lines.push_back(where + ": not well-formed at " + std::to_string(error.line) + ":" +
                      std::to_string(error.column) + ": " + error.reason + " (Microsoft: " +
                      microsoft_advice_for(error) + ")");
      continue;
    }
    for (const RuleViolation& violation : result.violations) {
      lines.push_back(where + " " + result.summary + ": [" + violation.rule_id + "] " + violation.text +
                      " -> Microsoft answers " + violation.response);
    }
  }
  if (lines.empty()) {
    lines.push_back(std::to_string(results.size()) + (results.size() == 1 ? " message" : " messages") +
                    ": well-formed and following the Direct Routing rules");
  }
  return lines;
}

}  // namespace teams
