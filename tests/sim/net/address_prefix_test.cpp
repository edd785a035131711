#include "sim/net/address_prefix.hpp"

#include <doctest/doctest.h>

using net::AddressPrefix;

namespace {

net::IpAddress ip(const char* text) { return *net::IpAddress::parse(text); }

AddressPrefix prefix(const char* text) {
  const auto parsed = AddressPrefix::parse(text);
  REQUIRE(parsed.has_value());
  return *parsed;
}

}  // namespace

TEST_CASE("an IPv4 prefix holds exactly the addresses of its block") {
  const AddressPrefix signalling = prefix("52.112.0.0/14");  // Microsoft's signalling subnet
  CHECK(signalling.contains(ip("52.112.0.0")));
  CHECK(signalling.contains(ip("52.114.148.0")));
  CHECK(signalling.contains(ip("52.115.255.255")));
  CHECK_FALSE(signalling.contains(ip("52.116.0.0")));
  CHECK_FALSE(signalling.contains(ip("52.111.255.255")));
  const AddressPrefix newer = prefix("52.122.0.0/15");
  CHECK(newer.contains(ip("52.123.7.1")));
  CHECK_FALSE(newer.contains(ip("52.124.0.1")));
  CHECK(signalling.text() == "52.112.0.0/14");
  CHECK(signalling.length() == 14);
}

TEST_CASE("an IPv6 prefix compares bits across byte boundaries") {
  const AddressPrefix block = prefix("2603:1037::/32");
  CHECK(block.contains(ip("2603:1037:ffff::1")));
  CHECK_FALSE(block.contains(ip("2603:1038::1")));
  const AddressPrefix odd = prefix("2001:db8:8000::/33");
  CHECK(odd.contains(ip("2001:db8:ffff::1")));
  CHECK_FALSE(odd.contains(ip("2001:db8:7fff::1")));
  CHECK(odd.text() == "2001:db8:8000::/33");
}

TEST_CASE("a bare address is a block of one and families never mix") {
  const AddressPrefix one = prefix("203.0.113.10");
  CHECK(one.length() == 32);
  CHECK(one.contains(ip("203.0.113.10")));
  CHECK_FALSE(one.contains(ip("203.0.113.11")));
  CHECK(prefix("2001:db8::10").length() == 128);
  CHECK(AddressPrefix::single(ip("2001:db8::10")).text() == "2001:db8::10/128");
  CHECK(prefix("0.0.0.0/0").contains(ip("198.51.100.1")));
  CHECK_FALSE(prefix("0.0.0.0/0").contains(ip("::ffff:198.51.100.1")));
  CHECK_FALSE(prefix("::/0").contains(ip("198.51.100.1")));
}

TEST_CASE("malformed prefixes and host bits after the length are refused") {
  for (const char* text : {"52.112.0.1/14", "52.112.0.0/33", "::/129", "52.112.0.0/", "52.112.0.0/-1",
                           "52.112.0.0/1x", "sbc1.contoso.com/8", "", "/8", "2001:db8::1/64"}) {
    CAPTURE(text);
    CHECK_FALSE(AddressPrefix::parse(text).has_value());
  }
}
