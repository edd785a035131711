#pragma once
// The SIP rules Microsoft's Direct Routing proxy enforces on what an SBC sends, with the
// response Microsoft gives (spec/direct-routing.md; research/direct-routing-facts.md §3), and a
// lint over a capture of several messages for `drsim lint`.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/sip/message.hpp"
#include "sim/sip/parser.hpp"

namespace teams {

struct RuleViolation {
  std::string rule_id;          // stable, kebab-case: "contact-ip-address"
  std::string text;             // what is wrong, for a person
  int status_code = 0;          // what Microsoft answers
  std::string response;         // "403 Forbidden"
};

std::vector<RuleViolation> check_direct_routing_rules(const sip::Message& message);

// What Microsoft reports when the SBC's bytes are not SIP it accepts (direct-routing.md, 504
// subcode table): 549002 when SIP/2.0 is missing from the start line or a Via, else 549018
// (rows of microsoft_response_codes.hpp).
std::string microsoft_advice_for(const sip::ParseError& error);

struct LintResult {
  std::size_t offset = 0;  // byte offset of the message in the file
  int line = 1;            // its first line in the file
  std::string summary;     // "INVITE sip:..." or "SIP/2.0 200 OK"; empty when not parsed
  std::optional<sip::ParseError> parse_error;  // line and column relative to the file
  std::vector<RuleViolation> violations;
};

// Splits a stream capture (messages back to back, each framed by Content-Length, CRLF
// keep-alives allowed between them) and checks every message. Stops at the first message that
// cannot be framed, since nothing after it can be located.
std::vector<LintResult> lint_stream(std::string_view bytes);

// 0: every message parses and follows the rules; 1: some message breaks a rule; 2: some message
// is not well-formed (2 wins over 1).
int lint_exit_code(const std::vector<LintResult>& results);

// The lines the CLI prints, one per problem (each broken rule on its own line, with Microsoft's
// response), or one summary line when everything passes. No trailing newlines.
std::vector<std::string> format_lint_lines(const std::vector<LintResult>& results);

}  // namespace teams
