#include "models/pstn/carrier_settings.hpp"

#include <doctest/doctest.h>

namespace {

pstn::CarrierSettings udp_trunk() {
  pstn::CarrierSettings settings;
  settings.ip = *net::IpAddress::parse("198.51.100.20");
  settings.sbc = {*net::IpAddress::parse("203.0.113.10"), pstn::kSipPort};
  settings.numbers = {"+12065550100", "+12065550101"};
  return settings;
}

}  // namespace

TEST_CASE("a UDP trunk with E.164 numbers is accepted") {
  CHECK_FALSE(pstn::check_carrier_settings("carrier1", udp_trunk()).has_value());
}

TEST_CASE("a TLS or TCP trunk is refused with a message naming the carrier and the transport") {
  pstn::CarrierSettings settings = udp_trunk();
  settings.transport = pstn::TrunkTransport::Tls;
  CHECK(pstn::check_carrier_settings("carrier1", settings) ==
        "carrier \"carrier1\": transport \"tls\" is not supported yet; carriers speak SIP over \"udp\" only");
  settings.transport = pstn::TrunkTransport::Tcp;
  CHECK(pstn::check_carrier_settings("carrier1", settings) ==
        "carrier \"carrier1\": transport \"tcp\" is not supported yet; carriers speak SIP over \"udp\" only");
}

TEST_CASE("numbers without a plus or with more than 15 digits are refused") {
  pstn::CarrierSettings settings = udp_trunk();
  settings.numbers = {"+12065550100", "12065550101"};
  CHECK(pstn::check_carrier_settings("carrier1", settings) ==
        "carrier \"carrier1\": number \"12065550101\" is not E.164 (\"+\" and 1 to 15 digits)");
  settings.numbers = {"+123456789012345"};
  CHECK_FALSE(pstn::check_carrier_settings("carrier1", settings).has_value());
  settings.numbers = {"+1234567890123456"};
  CHECK(pstn::check_carrier_settings("carrier1", settings).has_value());
  settings.numbers = {"+1206-555"};
  CHECK(pstn::check_carrier_settings("carrier1", settings).has_value());
}
