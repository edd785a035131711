#pragma once
// The trace fingerprint (DESIGN.md rule 4): XXH3-64 of the canonical byte stream of every
// delivered event, each event written as [time ns: 8][destination actor id: 4][payload
// length: 4][payload], little-endian. Communication only — timer firings are internal and show
// up through what they send — so refactoring a model's timers does not move fingerprints,
// while changing its messages does. Records are buffered and hashed in blocks, so the cost per
// event is a copy, not a hash.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace sim {

class Fingerprint {
 public:
  Fingerprint();
  ~Fingerprint();
  Fingerprint(const Fingerprint&) = delete;
  Fingerprint& operator=(const Fingerprint&) = delete;

  void add(std::int64_t time, std::uint32_t destination, std::string_view payload);
  // PHOLD-style events carry a 32-bit tag instead of bytes: the payload is its 4 LE bytes.
  void add_tag(std::int64_t time, std::uint32_t destination, std::uint32_t tag) {
    if (used_ + 20 > kBufferSize) flush();
    unsigned char* out = buffer_ + used_;
    put_le(out, static_cast<std::uint64_t>(time), 8);
    put_le(out + 8, destination, 4);
    put_le(out + 12, 4, 4);
    put_le(out + 16, tag, 4);
    used_ += 20;
  }
  // The hash of everything added so far (does not disturb later additions).
  std::uint64_t value() const;

 private:
  static constexpr std::size_t kBufferSize = 4096;
  static void put_le(unsigned char* out, std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out[i] = static_cast<unsigned char>(value >> (8 * i));
  }
  void flush();

  struct State;
  std::unique_ptr<State> state_;
  std::size_t used_ = 0;
  unsigned char buffer_[kBufferSize];
};

// 16 lower-case hex digits, as summary.json and every run's last line print it.
std::string format_fingerprint(std::uint64_t value);

}  // namespace sim
