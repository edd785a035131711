#pragma once
// Message framing on stream transports (TCP, TLS): RFC 3261 §18.3 frames each message by its
// Content-Length, which is therefore mandatory. CRLF keep-alives between messages (RFC 5626
// §3.5.1: "\r\n\r\n" ping, "\r\n" pong) are skipped.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "sim/core/result.hpp"
#include "sim/sip/message.hpp"
#include "sim/sip/parser.hpp"

namespace sip {

enum class FrameStatus : std::uint8_t { Complete, NeedMore, Error };

struct FrameScan {
  FrameStatus status = FrameStatus::NeedMore;
  std::size_t skip = 0;    // keep-alive bytes before the message
  std::size_t length = 0;  // message bytes (headers + body) when Complete
  ParseError error;        // when Error; offsets relative to the scanned bytes
};

// Looks at the start of `bytes` and says whether one complete message is there.
FrameScan scan_frame(std::string_view bytes);

class StreamFramer {
 public:
  // A header section larger than this (empty line included) is treated as an attack or garbage,
  // whether its end has arrived or not.
  static constexpr std::size_t kMaxHeaderBytes = 64 * 1024;
  // next() first parses at most this many pending bytes as one message. The parser copies its
  // whole input before dropping what follows the body, so parsing all of a pipelined backlog
  // would copy the rest once per message (quadratic) and leave each message holding a buffer
  // the backlog's size. A longer message is framed by scan_frame first, as before.
  static constexpr std::size_t kParseWindowBytes = 16 * 1024;
  // So a message parsed inside the window never needs the header limit checked.
  static_assert(kParseWindowBytes <= kMaxHeaderBytes);

  void append(std::string_view bytes);
  // The next complete message, or nullopt when more bytes are needed. A framing error is
  // returned once; the stream is then unusable (the connection must be closed, §18.3) and
  // next() returns nullopt. Error positions count from the start of the message, which is at
  // last_message_offset() in the stream.
  std::optional<sim::Result<Message, ParseError>> next();
  bool failed() const { return failed_; }
  std::size_t buffered_bytes() const { return buffer_.size() - consumed_; }
  // Stream offset (bytes appended before) where the last returned message started.
  std::size_t last_message_offset() const { return last_offset_; }

 private:
  std::string buffer_;
  std::size_t consumed_ = 0;
  std::size_t stream_offset_ = 0;  // stream position of buffer_[0]
  std::size_t last_offset_ = 0;
  bool failed_ = false;
};

}  // namespace sip
