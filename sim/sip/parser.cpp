#include "sim/sip/parser.hpp"

#include <cstring>
#include <vector>

namespace sip {

// Friend of Message: fills its ranges directly so parsing costs one buffer copy.
class MessageParser {
 public:
  MessageParser(std::string_view bytes, Framing framing, Message& message)
      : bytes_(bytes), framing_(framing), message_(message) {}

  bool run();
  ParseError& error() { return error_; }

 private:
  bool fail(ParseErrorKind kind, std::size_t offset, std::string reason) {
    error_.kind = kind;
    error_.offset = offset;
    error_.reason = std::move(reason);
    // Line and column are counted in the caller's bytes (the buffer's folds are rewritten).
    int line = 1;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < offset && i < bytes_.size(); ++i) {
      if (bytes_[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    error_.line = line;
    error_.column = static_cast<int>(offset - line_start) + 1;
    return false;
  }
  bool parse_start_line(std::size_t end);
  bool parse_headers(std::size_t& pos);

  std::string_view bytes_;
  Framing framing_;
  Message& message_;
  ParseError error_;
};

namespace {

std::size_t find_newline(std::string_view text, std::size_t from) {
  if (from >= text.size()) return std::string_view::npos;
  const void* hit = std::memchr(text.data() + from, '\n', text.size() - from);
  return hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - text.data())
             : std::string_view::npos;
}

bool is_sip_2_0(std::string_view version) {
  // SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT; the literal "SIP" is case-insensitive (§7.1).
  return version.size() == 7 && iequals(version.substr(0, 4), "SIP/") && version.substr(4) == "2.0";
}

// Rewrites a folded value in place: each [WS] CRLF 1*WS becomes one SP (§7.3.1). Returns the
// new length; the value only shrinks, so it stays inside its own line range.
std::size_t unfold_in_place(char* value, std::size_t length) {
  std::size_t out = 0;
  std::size_t i = 0;
  while (i < length) {
    const char c = value[i];
    if (c == '\r' || c == '\n') {
      while (out > 0 && is_ws(value[out - 1])) --out;
      while (i < length && is_lws_char(value[i])) ++i;
      value[out++] = ' ';
      continue;
    }
    value[out++] = c;
    ++i;
  }
  return out;
}

// Inverse of unfold_in_place for error positions: where byte `index` of the unfolded value came
// from in the value as the sender wrote it (each fold's SP maps to its line break).
std::size_t original_index(std::string_view folded, std::size_t index) {
  std::vector<std::size_t> source;
  source.reserve(folded.size());
  std::size_t i = 0;
  while (i < folded.size()) {
    if (folded[i] == '\r' || folded[i] == '\n') {
      while (!source.empty() && is_lws_char(folded[source.back()])) source.pop_back();
      source.push_back(i);
      while (i < folded.size() && is_lws_char(folded[i])) ++i;
      continue;
    }
    source.push_back(i++);
  }
  return index < source.size() ? source[index] : folded.size();
}

}  // namespace

bool MessageParser::parse_start_line(std::size_t end) {
  const std::string_view base = message_.buffer_;
  std::string_view line = base.substr(0, end);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() >= 4 && iequals(line.substr(0, 4), "SIP/")) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF  (§7.2)
    message_.is_request_ = false;
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos || !is_sip_2_0(line.substr(0, space))) {
      return fail(ParseErrorKind::WrongVersion, 0, "status line does not start with SIP/2.0");
    }
    std::size_t i = space + 1;
    std::size_t digits = i;
    while (digits < line.size() && is_digit(line[digits])) ++digits;
    if (digits - i != 3) {
      // RFC 4475 §3.1.2.19: an overlarge code must not overflow anything; it simply fails here.
      return fail(ParseErrorKind::Malformed, i, "status code must be exactly three digits");
    }
    const int code = (line[i] - '0') * 100 + (line[i + 1] - '0') * 10 + (line[i + 2] - '0');
    if (code < 100 || code > 699) return fail(ParseErrorKind::Malformed, i, "status code outside 100-699");
    if (digits >= line.size() || line[digits] != ' ') {
      // The SP before an empty Reason-Phrase is required (RFC 4475 §3.1.1.13).
      return fail(ParseErrorKind::Malformed, digits, "no SP after the status code");
    }
    message_.status_code_ = code;
    message_.reason_ = range_of(base, line.substr(digits + 1));
    return true;
  }
  // Request-Line = Method SP Request-URI SP SIP-Version CRLF  (§7.1): exactly single spaces.
  message_.is_request_ = true;
  std::size_t i = 0;
  while (i < line.size() && is_token_char(line[i])) ++i;
  if (i == 0) return fail(ParseErrorKind::Malformed, 0, "request line does not start with a method token");
  if (i >= line.size() || line[i] != ' ') {
    return fail(ParseErrorKind::Malformed, i, "method must be followed by a single SP");
  }
  const std::string_view method = line.substr(0, i);
  const std::size_t uri_start = i + 1;
  if (uri_start < line.size() && line[uri_start] == ' ') {
    return fail(ParseErrorKind::Malformed, uri_start, "more than one SP between Method and Request-URI");
  }
  const std::size_t uri_end = line.find(' ', uri_start);
  if (uri_end == std::string_view::npos) {
    return fail(ParseErrorKind::WrongVersion, line.size(), "no SIP-Version in the Request-Line");
  }
  const std::string_view version = line.substr(uri_end + 1);
  if (const std::size_t extra = version.find(' '); extra != std::string_view::npos) {
    return fail(ParseErrorKind::Malformed, uri_end + 1 + extra,
                "extra SP-separated element or trailing SP in the Request-Line");
  }
  if (version.empty()) {
    return fail(ParseErrorKind::Malformed, uri_end, "more than one SP between Request-URI and SIP-Version");
  }
  if (!is_sip_2_0(version)) {
    return fail(ParseErrorKind::WrongVersion, uri_end + 1,
                "SIP-Version is \"" + std::string(version) + "\", not SIP/2.0");
  }
  const std::string_view uri = line.substr(uri_start, uri_end - uri_start);
  FieldError field_error;
  if (!parse_uri_parts(base, uri, message_.request_uri_, field_error)) {
    const std::size_t at = field_error.at ? static_cast<std::size_t>(field_error.at - base.data()) : uri_start;
    return fail(ParseErrorKind::Malformed, at, std::string("Request-URI: ") + field_error.reason);
  }
  if (!message_.request_uri_.headers.empty()) {
    // §19.1.1 table: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
    return fail(ParseErrorKind::Malformed, message_.request_uri_.headers.offset,
                "Request-URI carries URI headers, which §19.1.1 forbids");
  }
  message_.method_ = range_of(base, method);
  message_.method_id_ = method_from_text(method);
  return true;
}

bool MessageParser::parse_headers(std::size_t& pos) {
  std::string& buffer = message_.buffer_;
  const std::size_t size = buffer.size();
  while (true) {
    if (pos >= size) {
      return fail(ParseErrorKind::Truncated, pos, "header section not terminated by an empty line");
    }
    if (buffer[pos] == '\n') {
      ++pos;
      return true;
    }
    if (buffer[pos] == '\r' && pos + 1 < size && buffer[pos + 1] == '\n') {
      pos += 2;
      return true;
    }
    if (is_ws(buffer[pos])) return fail(ParseErrorKind::Malformed, pos, "continuation line without a header");
    std::size_t newline = find_newline(buffer, pos);
    if (newline == std::string_view::npos) {
      return fail(ParseErrorKind::Truncated, pos, "header section not terminated by an empty line");
    }
    bool folded = false;
    while (newline + 1 < size && is_ws(buffer[newline + 1])) {
      folded = true;
      const std::size_t next = find_newline(buffer, newline + 1);
      if (next == std::string_view::npos) {
        return fail(ParseErrorKind::Truncated, newline + 1, "header section not terminated by an empty line");
      }
      newline = next;
    }
    std::size_t field_end = newline;
    if (field_end > pos && buffer[field_end - 1] == '\r') --field_end;

    // field-name HCOLON field-value; HCOLON = *( SP / HTAB ) ":" SWS  (§25.1)
    std::size_t i = pos;
    while (i < field_end && is_token_char(buffer[i])) ++i;
    if (i == pos) return fail(ParseErrorKind::Malformed, pos, "header line does not start with a field name");
    const std::size_t name_end = i;
    while (i < field_end && is_ws(buffer[i])) ++i;
    if (i >= field_end || buffer[i] != ':') {
      return fail(ParseErrorKind::Malformed, i, "header line without ':' after the field name");
    }
    ++i;
    std::size_t value_length = field_end - i;
    if (folded) value_length = unfold_in_place(buffer.data() + i, value_length);
    const std::string_view base = buffer;
    const std::string_view name = base.substr(pos, name_end - pos);
    const std::string_view value = trim_lws(base.substr(i, value_length));

    HeaderField& field = message_.headers_.emplace_back();
    field.id = header_id(name);
    field.name = range_of(base, name);
    field.value = range_of(base, value);
    FieldError field_error;
    if (!message_.index_header(message_.headers_.size() - 1, field_error)) {
      std::size_t at = field_error.at != nullptr ? static_cast<std::size_t>(field_error.at - base.data())
                                                 : static_cast<std::size_t>(value.data() - base.data());
      if (folded && at >= i) at = i + original_index(bytes_.substr(i, field_end - i), at - i);
      const std::string_view shown = field.id == HeaderId::Unknown ? name : canonical_name(field.id);
      return fail(field_error.wrong_version ? ParseErrorKind::WrongVersion : ParseErrorKind::Malformed, at,
                  std::string(shown) + ": " + field_error.reason);
    }
    pos = newline + 1;
  }
}

bool MessageParser::run() {
  message_.buffer_.assign(bytes_.data(), bytes_.size());
  const std::size_t start_end = find_newline(message_.buffer_, 0);
  if (start_end == std::string_view::npos) {
    if (bytes_.empty()) return fail(ParseErrorKind::Truncated, 0, "empty message");
    return fail(ParseErrorKind::Truncated, bytes_.size(), "start line not terminated by CRLF");
  }
  if (!parse_start_line(start_end)) return false;
  std::size_t pos = start_end + 1;
  if (!parse_headers(pos)) return false;
  const std::size_t available = message_.buffer_.size() - pos;
  std::size_t body_length = available;
  if (message_.has_content_length_) {
    body_length = message_.content_length_;
    if (body_length > available) {
      // RFC 4475 §3.1.2.2: on UDP a Content-Length beyond the datagram is an error (400).
      return fail(ParseErrorKind::Truncated, pos,
                  "Content-Length " + std::to_string(body_length) + " exceeds the " +
                      std::to_string(available) + " bytes after the headers");
    }
  } else if (framing_ == Framing::Stream) {
    return fail(ParseErrorKind::Malformed, pos, "no Content-Length on a stream transport (§18.3)");
  }
  message_.body_ = Range{static_cast<std::uint32_t>(pos), static_cast<std::uint32_t>(body_length)};
  // Drop whatever followed the message in the datagram (RFC 4475 §3.1.1.8); no reallocation.
  message_.buffer_.resize(pos + body_length);
  return true;
}

sim::Result<Message, ParseError> parse_message(std::string_view bytes, Framing framing) {
  // Parse straight into the Result's storage and return that one object (NRVO): a Message is
  // ~1.3 KB of inline arrays, and moving it twice per parse showed in the benchmark.
  sim::Result<Message, ParseError> result{Message{}};
  MessageParser parser(bytes, framing, result.value());
  if (!parser.run()) result = sim::Failure{std::move(parser.error())};
  return result;
}

std::string_view parse_error_kind_name(ParseErrorKind kind) {
  switch (kind) {
    case ParseErrorKind::Malformed: return "malformed";
    case ParseErrorKind::WrongVersion: return "wrong_version";
    case ParseErrorKind::Truncated: return "truncated";
  }
  return "malformed";
}

std::string format_parse_error(const ParseError& error) {
  return std::to_string(error.line) + ":" + std::to_string(error.column) + ": " + error.reason;
}

}  // namespace sip
