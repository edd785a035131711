#include "sim/net/ip_address.hpp"

#include <doctest/doctest.h>

TEST_CASE("IPv4 and IPv6 addresses parse and print canonically") {
  const auto sbc = net::IpAddress::parse("203.0.113.10");
  REQUIRE(sbc);
  CHECK(sbc->family() == net::IpFamily::V4);
  CHECK(sbc->text() == "203.0.113.10");

  const auto proxy = net::IpAddress::parse("2001:DB8:0:0:0:0:0:10");
  REQUIRE(proxy);
  CHECK(proxy->family() == net::IpFamily::V6);
  CHECK(proxy->text() == "2001:db8::10");  // RFC 5952 §4
}

TEST_CASE("text that is not an address is refused") {
  for (const char* text : {"", "203.0.113", "203.0.113.256", "sbc1.contoso.com", "[2001:db8::1]", "1.2.3.4 "})
    CHECK_FALSE(net::IpAddress::parse(text));
}

TEST_CASE("addresses order IPv4 before IPv6 and by bytes") {
  const auto low = *net::IpAddress::parse("10.0.0.2");
  const auto high = *net::IpAddress::parse("10.0.0.10");
  const auto v6 = *net::IpAddress::parse("::1");
  CHECK(low < high);
  CHECK(high < v6);
  CHECK(net::SocketAddress{low, 5061} < net::SocketAddress{low, 5062});
}
