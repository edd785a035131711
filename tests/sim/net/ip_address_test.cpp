#include "sim/net/ip_address.hpp"

#include <arpa/inet.h>

#include <cstdio>
#include <string>
#include <utility>

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

namespace {

// The libc formatter text() replaced, as the reference its output must match byte for byte.
std::string inet_ntop_text(const net::IpAddress& address) {
  char buffer[INET6_ADDRSTRLEN] = {};
  inet_ntop(address.family() == net::IpFamily::V4 ? AF_INET : AF_INET6, address.bytes().data(), buffer,
            sizeof buffer);
  return buffer;
}

}  // namespace

TEST_CASE("text() writes what inet_ntop writes") {
  SUBCASE("known values") {
    const std::pair<const char*, const char*> cases[] = {
        {"0.0.0.0", "0.0.0.0"},           {"255.255.255.255", "255.255.255.255"},
        {"10.0.100.9", "10.0.100.9"},     {"::", "::"},
        {"::1", "::1"},                   {"1::", "1::"},
        {"1:0:0:2:0:0:0:3", "1:0:0:2::3"}, {"1:0:0:2:0:0:3:4", "1::2:0:0:3:4"},
        {"1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"}, {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
        {"::192.0.2.1", "::192.0.2.1"},   {"2001:DB8:ABCD:12::F00", "2001:db8:abcd:12::f00"},
    };
    for (const auto& [input, expected] : cases) {
      const auto address = net::IpAddress::parse(input);
      REQUIRE(address);
      CHECK(address->text() == expected);
      CHECK(address->text() == inet_ntop_text(*address));
    }
  }
  SUBCASE("every byte value of IPv4") {
    for (int value = 0; value < 256; ++value) {
      for (int position = 0; position < 4; ++position) {
        std::string text = "1.2.3.4";
        std::string parts[4] = {"1", "2", "3", "4"};
        parts[position] = std::to_string(value);
        text = parts[0] + "." + parts[1] + "." + parts[2] + "." + parts[3];
        const auto address = net::IpAddress::parse(text);
        REQUIRE(address);
        CHECK(address->text() == text);
        CHECK(address->text() == inet_ntop_text(*address));
      }
    }
  }
  SUBCASE("IPv6: every pattern of zero groups, with groups of every width") {
    // A fixed linear congruential sequence: the same addresses on every run.
    std::uint64_t state = 0x243F6A8885A308D3ULL;
    const auto next = [&] {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      return static_cast<unsigned>(state >> 33);
    };
    for (unsigned zero_groups = 0; zero_groups < 256; ++zero_groups) {
      for (int round = 0; round < 8; ++round) {
        char text[64];
        std::string written;
        for (int group = 0; group < 8; ++group) {
          unsigned value = 0;
          if ((zero_groups >> group & 1U) == 0) {
            const unsigned width = next() % 4;  // 1 to 4 hex digits
            value = next() & ((0x10U << (4 * width)) - 1);
            if (value == 0) value = 1;
            if (round == 7 && group == 5) value = 0xFFFF;  // IPv4-mapped forms
          }
          std::snprintf(text, sizeof text, "%s%x", group == 0 ? "" : ":", value);
          written += text;
        }
        const auto address = net::IpAddress::parse(written);
        REQUIRE(address);
        CHECK(address->text() == inet_ntop_text(*address));
      }
    }
  }
}
