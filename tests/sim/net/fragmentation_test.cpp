#include "sim/net/fragmentation.hpp"

#include <doctest/doctest.h>

using net::IpFamily;
using net::udp_fragment_count;

TEST_CASE("an IPv4 datagram fragments above MTU minus 28 bytes") {
  CHECK(udp_fragment_count(1472, 1500, IpFamily::V4) == 1);
  CHECK(udp_fragment_count(1473, 1500, IpFamily::V4) == 2);
  // 4000 + 8 bytes of UDP header in fragments of 1480: 1480 + 1480 + 1048.
  CHECK(net::fragment_data_bytes(1500, IpFamily::V4) == 1480);
  CHECK(udp_fragment_count(4000, 1500, IpFamily::V4) == 3);
  CHECK(udp_fragment_count(2952, 1500, IpFamily::V4) == 2);  // 2960 = 2 × 1480 exactly
  CHECK(udp_fragment_count(2953, 1500, IpFamily::V4) == 3);
  CHECK(udp_fragment_count(548, 576, IpFamily::V4) == 1);
}

TEST_CASE("an IPv6 datagram fragments above MTU minus 48 bytes") {
  CHECK(udp_fragment_count(1452, 1500, IpFamily::V6) == 1);
  CHECK(udp_fragment_count(1453, 1500, IpFamily::V6) == 2);
  CHECK(net::fragment_data_bytes(1500, IpFamily::V6) == 1448);  // 1500 − 40 − 8
  CHECK(udp_fragment_count(4000, 1500, IpFamily::V6) == 3);
  CHECK(udp_fragment_count(1232, 1280, IpFamily::V6) == 1);
}
