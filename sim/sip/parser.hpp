#pragma once
// Bytes to sip::Message (RFC 3261 §7 and the §25 grammar). No exceptions: a malformed message is
// a value, with line, column and reason. Datagram and stream framing differ only in what a
// missing Content-Length means (§18.3).
#include <cstddef>
#include <string>
#include <string_view>

#include "sim/core/result.hpp"
#include "sim/sip/message.hpp"

namespace sip {

enum class ParseErrorKind : std::uint8_t {
  Malformed,     // breaks the §25 grammar or a core header's syntax
  WrongVersion,  // no "SIP/2.0" in the start line or a Via (RFC 4475 §3.1.2.16: answer 505);
                 // Microsoft's proxy reports this as 549002 "Invalid request/response"
  Truncated,     // fewer bytes than the framing promises (no end of headers, short body)
};

struct ParseError {
  ParseErrorKind kind = ParseErrorKind::Malformed;
  int line = 1;    // 1-based, in the bytes given to the parser
  int column = 1;  // 1-based byte column
  std::string reason;
  std::size_t offset = 0;  // byte offset of the problem
};

enum class Framing : std::uint8_t {
  Datagram,  // UDP: without Content-Length the body is the rest of the datagram; bytes after
             // Content-Length are ignored (§18.3, RFC 4475 §3.1.1.8)
  Stream,    // TCP/TLS: `bytes` is exactly one framed message; Content-Length is mandatory
};

sim::Result<Message, ParseError> parse_message(std::string_view bytes,
                                               Framing framing = Framing::Datagram);

// "line:column: reason"
std::string format_parse_error(const ParseError& error);
std::string_view parse_error_kind_name(ParseErrorKind kind);  // "malformed", "wrong_version", "truncated"

}  // namespace sip
