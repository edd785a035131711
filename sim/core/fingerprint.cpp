#include "sim/core/fingerprint.hpp"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace sim {

struct Fingerprint::State {
  XXH3_state_t xxh3;
};

Fingerprint::Fingerprint() : state_(std::make_unique<State>()) { XXH3_64bits_reset(&state_->xxh3); }
Fingerprint::~Fingerprint() = default;

void Fingerprint::flush() {
  XXH3_64bits_update(&state_->xxh3, buffer_, used_);
  used_ = 0;
}

void Fingerprint::add(std::int64_t time, std::uint32_t destination, std::string_view payload) {
  if (used_ + 16 > kBufferSize) flush();
  unsigned char* out = buffer_ + used_;
  put_le(out, static_cast<std::uint64_t>(time), 8);
  put_le(out + 8, destination, 4);
  put_le(out + 12, payload.size(), 4);
  used_ += 16;
  if (payload.size() <= kBufferSize - used_) {
    std::memcpy(buffer_ + used_, payload.data(), payload.size());
    used_ += payload.size();
  } else {
    flush();
    XXH3_64bits_update(&state_->xxh3, payload.data(), payload.size());
  }
}

std::uint64_t Fingerprint::value() const {
  State copy = *state_;
  XXH3_64bits_update(&copy.xxh3, buffer_, used_);
  return XXH3_64bits_digest(&copy.xxh3);
}

std::string format_fingerprint(std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) text[static_cast<std::size_t>(i)] = kDigits[value & 0xf];
  return text;
}

}  // namespace sim
