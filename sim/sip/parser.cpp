#include "sim/sip/parser.hpp"

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
  // Finds the line feed that ends the field starting at `line_start`, searching from `from`
  // (past the name, which holds no line break) and across folds (§7.3.1).
  bool find_field_end(std::size_t line_start, std::size_t from, std::size_t& newline, bool& folded);

  std::string_view bytes_;
  Framing framing_;
  Message& message_;
  ParseError error_;
};

namespace {

std::size_t find_newline(std::string_view text, std::size_t from) { return find_byte(text, '\n', from); }

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
  // Read from the caller's bytes, which the buffer copies byte for byte here: loads from the
  // fresh copy would wait on the copy's stores. Ranges are offsets, the same in both.
  const std::string_view base = bytes_;
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

bool MessageParser::find_field_end(std::size_t line_start, std::size_t from, std::size_t& newline,
                                   bool& folded) {
  // A field runs to the first line break not followed by SP or HTAB (§7.3.1 folding). Lines
  // are searched in the caller's bytes (see parse_headers).
  const char* const data = bytes_.data();
  const char* const end = data + bytes_.size();
  const char* hit = find_byte(data + from, end, '\n');
  if (hit == end) return fail(ParseErrorKind::Truncated, line_start, "header section not terminated by an empty line");
  folded = false;
  while (hit + 1 < end && is_ws(hit[1])) {
    folded = true;
    const char* next = find_byte(hit + 1, end, '\n');
    if (next == end) {
      return fail(ParseErrorKind::Truncated, static_cast<std::size_t>(hit + 1 - data),
                  "header section not terminated by an empty line");
    }
    hit = next;
  }
  newline = static_cast<std::size_t>(hit - data);
  return true;
}

bool MessageParser::parse_headers(std::size_t& pos) {
  std::string& buffer = message_.buffer_;
  const std::size_t size = buffer.size();
  while (true) {
    if (pos >= size) {
      return fail(ParseErrorKind::Truncated, pos, "header section not terminated by an empty line");
    }
    // Lines are found in the caller's bytes rather than in the buffer just copied from them:
    // loads from the copy would wait on its stores. From this line on both hold the same bytes
    // (unfolding rewrites only earlier fields); values are read from the buffer.
    const char* const data = bytes_.data();
    const char first = data[pos];
    if (first == '\n') {
      ++pos;
      return true;
    }
    if (first == '\r' && pos + 1 < size && data[pos + 1] == '\n') {
      pos += 2;
      return true;
    }
    if (is_ws(first)) return fail(ParseErrorKind::Malformed, pos, "continuation line without a header");

    // The line's end is searched from its start, not from the colon: the next line then does not
    // wait for this one's name scan, and the two overlap. A bad name is reported only after
    // find_field_end, which would have reported a truncation first.
    const char* const end = data + size;
    const char* line_feed = find_byte(data + pos, end, '\n');

    // field-name HCOLON field-value; HCOLON = *( SP / HTAB ) ":" SWS  (§25.1). A known name
    // right before the line's first colon is the field name: known names are letters and '-',
    // all token characters, so the token scan below would stop at that colon too.
    const char* const line_start = data + pos;
    const char* const colon = find_byte(line_start, line_feed, end, ':');
    HeaderId id = HeaderId::Unknown;
    if (colon != line_feed && colon != line_start && !is_ws(colon[-1])) {
      id = header_id(std::string_view(line_start, static_cast<std::size_t>(colon - line_start)));
    }
    std::size_t i = 0;
    std::size_t name_end = 0;
    if (id != HeaderId::Unknown) {
      name_end = i = static_cast<std::size_t>(colon - data);
    } else {
      i = static_cast<std::size_t>(skip_class<TokenClass>(line_start, end, end) - data);
      name_end = i;
      while (i < size && is_ws(data[i])) ++i;
      if (name_end == pos || i >= size || data[i] != ':') {
        std::size_t newline = 0;
        bool folded = false;
        if (!find_field_end(pos, pos, newline, folded)) return false;
        if (name_end == pos) return fail(ParseErrorKind::Malformed, pos, "header line does not start with a field name");
        return fail(ParseErrorKind::Malformed, i, "header line without ':' after the field name");
      }
      id = header_id(std::string_view(line_start, name_end - pos));
    }
    std::size_t newline = 0;
    bool folded = false;
    ++i;
    // The common line: no fold after its line feed (which, as name and colon hold none, comes
    // after the colon). Anything else takes find_field_end, which reports truncation where the
    // full search would.
    if (line_feed == end || (line_feed + 1 < end && is_ws(line_feed[1]))) {
      if (!find_field_end(pos, i, newline, folded)) return false;
    } else {
      newline = static_cast<std::size_t>(line_feed - data);
    }
    std::size_t field_end = newline;
    if (data[field_end - 1] == '\r') --field_end;  // field_end - 1 >= the colon's index
    std::size_t value_length = field_end - i;
    if (folded) value_length = unfold_in_place(buffer.data() + i, value_length);
    const std::string_view base = buffer;
    // An unfolded value differs from the input; any other is read from the input (see above).
    const std::string_view source = folded ? base : bytes_;
    // Both lie inside the buffer (pos <= name_end, i + value_length <= size): no substr checks.
    const std::string_view name(source.data() + pos, name_end - pos);
    const std::string_view value = trim_lws(std::string_view(source.data() + i, value_length));

    const Range value_range = range_of(source, value);
    HeaderField& field = message_.headers_.emplace_back();
    field.id = id;
    field.name = range_of(source, name);
    field.value = value_range;
    if (!Message::is_indexed(id)) {
      pos = newline + 1;
      continue;
    }
    FieldError field_error;
    if (!message_.index_field(id, value_range, source, field_error)) {
      std::size_t at = field_error.at != nullptr ? static_cast<std::size_t>(field_error.at - source.data())
                                                 : static_cast<std::size_t>(value.data() - source.data());
      if (folded && at >= i) at = i + original_index(bytes_.substr(i, field_end - i), at - i);
      const std::string_view shown = id == HeaderId::Unknown ? name : canonical_name(id);
      return fail(field_error.wrong_version ? ParseErrorKind::WrongVersion : ParseErrorKind::Malformed, at,
                  std::string(shown) + ": " + field_error.reason);
    }
    pos = newline + 1;
  }
}

bool MessageParser::run() {
  message_.buffer_.assign(bytes_.data(), bytes_.size());
  const std::size_t start_end = find_newline(bytes_, 0);
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
