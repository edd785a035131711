#include "sim/core/fingerprint.hpp"

#include <doctest/doctest.h>

#include <string>

#define XXH_INLINE_ALL
#include <xxhash.h>

using namespace sim;

namespace {
void append_le(std::string& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
}
}  // namespace

TEST_CASE("the fingerprint is XXH3-64 of the documented canonical event stream") {
  // Enough events, some large, to cross the internal buffer many times.
  Fingerprint fingerprint;
  std::string canonical;
  for (std::uint32_t i = 0; i < 3000; ++i) {
    const std::string payload(i % 7 == 0 ? 5000 : i % 50, static_cast<char>('a' + i % 26));
    if (i % 3 == 0) {
      fingerprint.add_tag(i * 1000, i % 5, i);
      append_le(canonical, i * 1000, 8);
      append_le(canonical, i % 5, 4);
      append_le(canonical, 4, 4);
      append_le(canonical, i, 4);
    } else {
      fingerprint.add(i * 1000, i % 5, payload);
      append_le(canonical, i * 1000, 8);
      append_le(canonical, i % 5, 4);
      append_le(canonical, payload.size(), 4);
      canonical += payload;
    }
    if (i % 500 == 0) REQUIRE(fingerprint.value() == XXH3_64bits(canonical.data(), canonical.size()));
  }
  CHECK(fingerprint.value() == XXH3_64bits(canonical.data(), canonical.size()));
}

TEST_CASE("payload boundaries are part of the fingerprint") {
  Fingerprint one, two;
  one.add(1, 1, "ab");
  one.add(1, 1, "c");
  two.add(1, 1, "a");
  two.add(1, 1, "bc");
  CHECK(one.value() != two.value());
}

TEST_CASE("fingerprints print as 16 hex digits") {
  CHECK(format_fingerprint(0) == "0000000000000000");
  CHECK(format_fingerprint(0x3f9a0c1d77e2b410ULL) == "3f9a0c1d77e2b410");
}
