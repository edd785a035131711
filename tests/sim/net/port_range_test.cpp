#include "sim/net/port_range.hpp"

#include <doctest/doctest.h>

using net::PortRange;

TEST_CASE("port ranges read one port or an inclusive range") {
  CHECK(PortRange::parse("5061")->first == 5061);
  CHECK(PortRange::parse("5061")->last == 5061);
  const auto media = PortRange::parse("49152-53247");
  REQUIRE(media.has_value());
  CHECK(media->contains(49152));
  CHECK(media->contains(53247));
  CHECK_FALSE(media->contains(53248));
  CHECK_FALSE(media->contains(49151));
  for (const char* text : {"", "65536", "5061-5060", "5060-", "-5060", "50a", "5060 - 5061"}) {
    CAPTURE(text);
    CHECK_FALSE(PortRange::parse(text).has_value());
  }
  CHECK(PortRange{}.contains(0));
  CHECK(PortRange{}.contains(65535));
}
