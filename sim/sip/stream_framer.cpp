#include "sim/sip/stream_framer.hpp"

namespace sip {
namespace {

FrameScan framing_error(std::size_t skip, std::size_t offset, std::string reason) {
  FrameScan scan;
  scan.status = FrameStatus::Error;
  scan.skip = skip;
  scan.error.kind = ParseErrorKind::Malformed;
  scan.error.offset = offset;
  scan.error.reason = std::move(reason);
  return scan;
}

// The header section ends at the first empty line, CRLF or a bare LF (the parser accepts LF
// line ends, so the framer must too, or the two disagree on where the body starts).
struct HeaderSectionScan {
  std::size_t empty_line = std::string_view::npos;  // its first byte; npos while it has not arrived
  // Where the lines that may be a Content-Length field start: "content-l..." or "l" then LWS or
  // ':', in either case. Only these can frame the message; the rest need not be looked at.
  static constexpr std::size_t kMaxCandidates = 4;
  std::size_t candidates[kMaxCandidates] = {};
  std::size_t candidate_count = 0;
  bool too_many_candidates = false;  // then every field is looked at, as before
};

// One pass over the line feeds: the empty line and the candidate field lines together, with the
// inline 16-byte search instead of a memchr call per line.
HeaderSectionScan scan_header_section(std::string_view bytes) {
  HeaderSectionScan scan;
  const char* const data = bytes.data();
  const char* const end = data + bytes.size();
  for (const char* newline = find_byte(data, end, '\n'); newline != end;
       newline = find_byte(newline + 1, end, '\n')) {
    const char* const next = newline + 1;
    if (next == end) break;
    if (*next == '\n' || (*next == '\r' && next + 1 < end && next[1] == '\n')) {
      scan.empty_line = static_cast<std::size_t>(next - data);
      return scan;
    }
    const char first = static_cast<char>(*next | 0x20);
    const bool compact = first == 'l' && next + 1 < end && (next[1] == ':' || is_lws_char(next[1]));
    const bool full = first == 'c' && end - next > 8 && next[7] == '-' && (next[8] | 0x20) == 'l';
    if (compact || full) {
      if (scan.candidate_count == HeaderSectionScan::kMaxCandidates) {
        scan.too_many_candidates = true;
      } else {
        scan.candidates[scan.candidate_count++] = static_cast<std::size_t>(next - data);
      }
    }
  }
  return scan;
}

// Index just past the empty line that starts at `empty_line`.
std::size_t after_line(std::string_view bytes, std::size_t empty_line) {
  return empty_line + (bytes[empty_line] == '\r' ? 2 : 1);
}

}  // namespace

FrameScan scan_frame(std::string_view bytes) {
  FrameScan scan;
  std::size_t skip = 0;
  while (skip < bytes.size() && (bytes[skip] == '\r' || bytes[skip] == '\n')) ++skip;
  scan.skip = skip;
  const std::string_view rest = bytes.substr(skip);
  const HeaderSectionScan section = scan_header_section(rest);
  const std::size_t empty_line = section.empty_line;
  // The limit counts the whole header section, so it trips whether the end arrived in the same
  // read or not yet: without an end, the section is at least one byte longer than what is here.
  const std::size_t header_bytes =
      empty_line == std::string_view::npos ? rest.size() + 1 : after_line(rest, empty_line);
  if (header_bytes > StreamFramer::kMaxHeaderBytes) {
    return framing_error(skip, skip, "header section longer than 64 KiB");
  }
  if (empty_line == std::string_view::npos) {
    scan.status = FrameStatus::NeedMore;
    return scan;
  }
  // Content-Length ("l" compact) among the header fields, each with its continuation lines, as
  // the parser reads it: "Content-Length:\r\n 12" is 12, and "1\r\n 2" is no number. Every
  // line after the start line that does not start with SP or HTAB starts a field.
  std::optional<std::uint64_t> content_length;
  const auto field_end_of = [&](std::size_t field_start) {
    std::size_t field_end = rest.find('\n', field_start);
    while (field_end + 1 < empty_line && is_ws(rest[field_end + 1])) {
      field_end = rest.find('\n', field_end + 1);
    }
    return field_end;
  };
  const auto read_field = [&](std::size_t field_start) -> std::optional<FrameScan> {
    const std::size_t field_end = field_end_of(field_start);
    const std::string_view field = rest.substr(field_start, field_end - field_start);
    const std::size_t colon = field.find(':');
    if (is_ws(field[0]) || colon == std::string_view::npos) return std::nullopt;
    const std::string_view name = trim_lws(field.substr(0, colon));
    if (!iequals(name, "content-length") && !iequals(name, "l")) return std::nullopt;
    std::uint64_t value = 0;
    if (!parse_bounded_uint(trim_lws(field.substr(colon + 1)), 0xFFFFFFFFull, value)) {
      return framing_error(skip, skip + field_start, "invalid Content-Length on a stream");
    }
    if (content_length && *content_length != value) {
      return framing_error(skip, skip + field_start, "conflicting Content-Length values on a stream");
    }
    content_length = value;
    return std::nullopt;
  };
  if (section.too_many_candidates) {
    std::size_t field_start = rest.find('\n') + 1;  // after the start line
    while (field_start < empty_line) {
      if (auto error = read_field(field_start)) return std::move(*error);
      field_start = field_end_of(field_start) + 1;
    }
  } else {
    // A candidate line starts with a letter, so it is not a continuation: it starts a field.
    for (std::size_t i = 0; i < section.candidate_count; ++i) {
      if (auto error = read_field(section.candidates[i])) return std::move(*error);
    }
  }
  if (!content_length) {
    return framing_error(skip, skip, "no Content-Length on a stream transport (§18.3)");
  }
  const std::size_t total = header_bytes + static_cast<std::size_t>(*content_length);
  if (rest.size() < total) {
    scan.status = FrameStatus::NeedMore;
    return scan;
  }
  scan.status = FrameStatus::Complete;
  scan.length = total;
  return scan;
}

void StreamFramer::append(std::string_view bytes) {
  if (failed_) return;
  if (consumed_ > 0 && consumed_ * 2 > buffer_.size()) {
    buffer_.erase(0, consumed_);
    stream_offset_ += consumed_;
    consumed_ = 0;
  }
  buffer_.append(bytes);
}

std::optional<sim::Result<Message, ParseError>> StreamFramer::next() {
  if (failed_) return std::nullopt;
  const std::string_view pending = std::string_view(buffer_).substr(consumed_);
  // The common case first: a whole, well-formed message. The parser finds the header end and
  // Content-Length itself, and with stream framing drops whatever follows the body, so parsing
  // the pending bytes (up to the parse window) frames and parses in one pass instead of
  // scan_frame's pass and then the parser's. A parse accepts exactly when scan_frame would
  // frame those same bytes as Complete and their parse succeeds: both end the headers at the
  // first empty line and read Content-Length the same way, and the window is smaller than the
  // framer's header limit. Anything else (more bytes needed, a framing error, a malformed
  // message, one longer than the window) takes the path below, which decides as before.
  std::size_t skip = 0;
  while (skip < pending.size() && (pending[skip] == '\r' || pending[skip] == '\n')) ++skip;
  if (skip < pending.size()) {
    auto parsed = parse_message(pending.substr(skip, kParseWindowBytes), Framing::Stream);
    if (parsed.ok()) {
      // A parsed message's buffer is its header section, then its body, and nothing after.
      last_offset_ = stream_offset_ + consumed_ + skip;
      consumed_ += skip + parsed.value().buffer_size();
      return parsed;
    }
  }
  FrameScan scan = scan_frame(pending);
  switch (scan.status) {
    case FrameStatus::NeedMore:
      // Keep-alives are consumed as soon as they are seen, so they never count as a partial
      // message and what is buffered does not depend on how the stream was chunked.
      consumed_ += scan.skip;
      return std::nullopt;
    case FrameStatus::Error: {
      failed_ = true;
      // Positions count from the message start, as a parse error's do: keep-alives before it
      // may or may not have been consumed already, depending on how the bytes arrived.
      const std::string_view message = pending.substr(scan.skip);
      ParseError error = std::move(scan.error);
      error.offset -= scan.skip;
      int line = 1;
      std::size_t line_start = 0;
      for (std::size_t i = 0; i < error.offset && i < message.size(); ++i) {
        if (message[i] == '\n') {
          ++line;
          line_start = i + 1;
        }
      }
      error.line = line;
      error.column = static_cast<int>(error.offset - line_start) + 1;
      last_offset_ = stream_offset_ + consumed_ + scan.skip;
      return sim::Result<Message, ParseError>(sim::Failure{std::move(error)});
    }
    case FrameStatus::Complete:
      break;
  }
  last_offset_ = stream_offset_ + consumed_ + scan.skip;
  const std::string_view bytes = pending.substr(scan.skip, scan.length);
  consumed_ += scan.skip + scan.length;
  return parse_message(bytes, Framing::Stream);
}

}  // namespace sip
