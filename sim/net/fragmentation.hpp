#pragma once
// IP fragmentation of a UDP datagram (RFC 791 §2.3 and §3.2 for IPv4, RFC 8200 §4.5 for IPv6).
// A datagram fits one packet while header + UDP header + payload <= MTU; otherwise its UDP
// header and payload are cut into fragments whose data is a multiple of 8 bytes, except the last.
#include <cstddef>
#include <cstdint>

#include "sim/net/ip_address.hpp"

namespace net {

inline constexpr std::uint32_t kDefaultMtu = 1500;
inline constexpr std::uint32_t kUdpHeaderBytes = 8;
inline constexpr std::uint32_t kIpv4HeaderBytes = 20;               // without options
inline constexpr std::uint32_t kIpv6HeaderBytes = 40;               // without extension headers
inline constexpr std::uint32_t kIpv6FragmentHeaderBytes = 8;        // RFC 8200 §4.5
inline constexpr std::uint32_t kIpv4MinimumMtu = 68;                // RFC 791 §3.2
inline constexpr std::uint32_t kIpv6MinimumMtu = 1280;              // RFC 8200 §5

// The largest UDP payload that travels unfragmented: MTU − 28 (IPv4), MTU − 48 (IPv6).
std::size_t largest_unfragmented_payload(std::uint32_t mtu, IpFamily family);
// Fragment data per packet: what fits after the IP header (and the IPv6 fragment header),
// rounded down to 8 bytes.
std::size_t fragment_data_bytes(std::uint32_t mtu, IpFamily family);
// How many IP packets a UDP datagram of `payload_bytes` becomes: 1 when it fits.
std::uint32_t udp_fragment_count(std::size_t payload_bytes, std::uint32_t mtu, IpFamily family);

}  // namespace net
