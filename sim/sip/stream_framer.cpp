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

}  // namespace

FrameScan scan_frame(std::string_view bytes) {
  FrameScan scan;
  std::size_t skip = 0;
  while (skip < bytes.size() && (bytes[skip] == '\r' || bytes[skip] == '\n')) ++skip;
  scan.skip = skip;
  const std::string_view rest = bytes.substr(skip);
  const std::size_t header_end = rest.find("\r\n\r\n");
  if (header_end == std::string_view::npos) {
    if (rest.size() > StreamFramer::kMaxHeaderBytes) {
      return framing_error(skip, skip, "no end of headers within 64 KiB");
    }
    scan.status = FrameStatus::NeedMore;
    return scan;
  }
  // Find Content-Length ("l" compact) among the header lines; continuation lines are skipped.
  std::optional<std::uint64_t> content_length;
  std::size_t line_start = rest.find('\n') + 1;  // after the start line
  while (line_start < header_end + 2) {
    std::size_t line_end = rest.find('\n', line_start);
    std::string_view line = rest.substr(line_start, line_end - line_start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && !is_ws(line[0])) {
      const std::size_t colon = line.find(':');
      const std::string_view name = trim_lws(line.substr(0, colon));
      if (colon != std::string_view::npos && (iequals(name, "content-length") || iequals(name, "l"))) {
        std::uint64_t value = 0;
        if (!parse_bounded_uint(trim_lws(line.substr(colon + 1)), 0xFFFFFFFFull, value)) {
          return framing_error(skip, skip + line_start, "invalid Content-Length on a stream");
        }
        if (content_length && *content_length != value) {
          return framing_error(skip, skip + line_start, "conflicting Content-Length values on a stream");
        }
        content_length = value;
      }
    }
    line_start = line_end + 1;
  }
  if (!content_length) {
    return framing_error(skip, skip, "no Content-Length on a stream transport (§18.3)");
  }
  const std::size_t total = header_end + 4 + static_cast<std::size_t>(*content_length);
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
  FrameScan scan = scan_frame(pending);
  switch (scan.status) {
    case FrameStatus::NeedMore:
      // Keep-alives alone are consumed right away so they never count as a partial message.
      if (scan.skip == pending.size()) consumed_ += scan.skip;
      return std::nullopt;
    case FrameStatus::Error: {
      failed_ = true;
      ParseError error = std::move(scan.error);
      int line = 1;
      std::size_t line_start = 0;
      for (std::size_t i = 0; i < error.offset && i < pending.size(); ++i) {
        if (pending[i] == '\n') {
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
