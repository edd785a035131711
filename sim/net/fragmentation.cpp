#include "sim/net/fragmentation.hpp"

#include "sim/core/check.hpp"

namespace net {

namespace {

std::uint32_t minimum_mtu(IpFamily family) { return family == IpFamily::V4 ? kIpv4MinimumMtu : kIpv6MinimumMtu; }

}  // namespace

std::size_t largest_unfragmented_payload(std::uint32_t mtu, IpFamily family) {
  DRSIM_CHECK(mtu >= minimum_mtu(family), "MTU below the protocol minimum");
  const std::uint32_t header = family == IpFamily::V4 ? kIpv4HeaderBytes : kIpv6HeaderBytes;
  return mtu - header - kUdpHeaderBytes;
}

std::size_t fragment_data_bytes(std::uint32_t mtu, IpFamily family) {
  DRSIM_CHECK(mtu >= minimum_mtu(family), "MTU below the protocol minimum");
  const std::uint32_t headers = family == IpFamily::V4 ? kIpv4HeaderBytes : kIpv6HeaderBytes + kIpv6FragmentHeaderBytes;
  // RFC 791 §3.1 (Fragment Offset) and RFC 8200 §4.5: offsets count 8-byte units.
  return (mtu - headers) / 8 * 8;
}

std::uint32_t udp_fragment_count(std::size_t payload_bytes, std::uint32_t mtu, IpFamily family) {
  if (payload_bytes <= largest_unfragmented_payload(mtu, family)) return 1;
  const std::size_t data = payload_bytes + kUdpHeaderBytes;  // the UDP header rides in the first fragment
  const std::size_t per_fragment = fragment_data_bytes(mtu, family);
  return static_cast<std::uint32_t>((data + per_fragment - 1) / per_fragment);
}

}  // namespace net
