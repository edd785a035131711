#include <doctest/doctest.h>

#include "models/teams/datacenter_message.hpp"

using teams::DatacenterMessage;
using teams::DatacenterMessageKind;

TEST_CASE("a trunk retry carries the call, the rest of its route and the failure so far") {
  const DatacenterMessage retry{.kind = DatacenterMessageKind::TrunkRetry,
                                .client = 4,
                                .call = 7,
                                .caller = "+14255550100",
                                .callee = "+12065550101",
                                .route = {"sbc1", "sbc2"},
                                .sip_code = 504,
                                .ms_code = 569002,
                                .phrase = "Unable to deliver INVITE: No connection could be made because the target "
                                          "machine actively refused it",
                                .client_sdp = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\n"};
  const std::string bytes = teams::encode_datacenter_message(retry);
  CHECK(bytes.starts_with("TrunkRetry client=4 call=7 caller=+14255550100 callee=+12065550101 sip=504 ms=569002\r\n"
                          "route: sbc1 sbc2\r\nphrase: Unable to deliver INVITE: No connection"));
  CHECK(teams::decode_datacenter_message(bytes) == retry);
}

TEST_CASE("a caller leaving a handed-over call names only the call") {
  const DatacenterMessage left{.kind = DatacenterMessageKind::CallerLeft, .client = 12, .call = 3};
  const std::string bytes = teams::encode_datacenter_message(left);
  CHECK(bytes == "CallerLeft client=12 call=3\r\n\r\n");
  CHECK(teams::decode_datacenter_message(bytes) == left);
}

TEST_CASE("bytes that are not a datacenter message are refused") {
  CHECK_FALSE(teams::decode_datacenter_message("HangUp call=3\r\n\r\n"));
  CHECK_FALSE(teams::decode_datacenter_message("CallerLeft client=x call=3\r\n\r\n"));
  CHECK_FALSE(teams::decode_datacenter_message("TrunkRetry client=1 call=2 caller=+1 callee=+2 sip=504 ms=1\r\n\r\n"));
  CHECK_FALSE(teams::decode_datacenter_message(
      "TrunkRetry client=1 call=2 caller=+1 callee=+2 sip=504 ms=1\r\nroute:\r\nphrase: x\r\n\r\n"));
}
