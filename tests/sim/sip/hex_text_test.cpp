#include "sim/sip/hex_text.hpp"

#include <doctest/doctest.h>

TEST_CASE("counters are written in lower-case hex, padded to the width asked for") {
  CHECK(sip::lower_hex(0) == "0");
  CHECK(sip::lower_hex(0xABCDEF) == "abcdef");
  CHECK(sip::lower_hex(0x2A, 8) == "0000002a");
  CHECK(sip::lower_hex(0x123456789, 8) == "123456789");  // a minimum, never a truncation
  CHECK(sip::lower_hex(7, 16) == "0000000000000007");
  CHECK(sip::lower_hex(0xFFFFFFFFFFFFFFFFULL, 16) == "ffffffffffffffff");
}
