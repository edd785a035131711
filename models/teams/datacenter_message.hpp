#pragma once
// What one Microsoft datacenter tells another about an outbound call (facts §1.5): after a
// network-level failure toward an SBC, the datacenter holding the call hands it to another
// datacenter, which tries the same trunk again from its own connections. It travels on
// Microsoft's backbone, not as SIP; like client signalling it is short text, so the fingerprint
// sees its bytes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/actor.hpp"

namespace teams {

enum class DatacenterMessageKind : std::uint8_t {
  TrunkRetry,  // take this call over and try `route` from its first SBC
  CallerLeft,  // the caller hung up on a call handed over earlier (the client still talks to the first datacenter)
};

struct DatacenterMessage {
  DatacenterMessageKind kind = DatacenterMessageKind::TrunkRetry;
  sim::ActorId client = 0;  // the Teams client that placed the call ...
  std::uint64_t call = 0;   // ... and its reference for it
  // TrunkRetry only:
  std::string caller{};
  std::string callee{};
  std::vector<std::string> route{};  // SBC names; the first is the trunk that failed
  int sip_code = 0;                // what the client hears if no attempt does better
  std::uint32_t ms_code = 0;
  std::string phrase{};
  std::string client_sdp{};

  friend bool operator==(const DatacenterMessage&, const DatacenterMessage&) = default;
};

// "TrunkRetry client=4 call=7 caller=+1... callee=+1... sip=504 ms=549002\r\n"
// "route: sbc1 sbc2\r\nphrase: Unable to deliver INVITE: ...\r\n\r\n<client sdp>"
std::string encode_datacenter_message(const DatacenterMessage& message);
std::optional<DatacenterMessage> decode_datacenter_message(std::string_view bytes);

}  // namespace teams
