#pragma once
// What sim::Delivery::channel carries for bytes the network delivers, so the receiver can look
// up where they came from: for TCP and TLS, the ConnectionId of the receiving end (ask
// TcpTransport::connection); for UDP, a datagram flow (ask UdpTransport::flow for its source
// and destination socket addresses). The top bit tells the two apart.
#include <cstdint>

namespace net {

// One end of a TCP connection: (connection number << 1) | side, side 0 for the end that
// connected and 1 for the end that accepted. Never reused within a run.
using ConnectionId = std::uint64_t;

inline constexpr std::uint64_t kDatagramChannelBit = std::uint64_t{1} << 63;

constexpr bool is_datagram_channel(std::uint64_t channel) { return (channel & kDatagramChannelBit) != 0; }
constexpr bool is_stream_channel(std::uint64_t channel) { return !is_datagram_channel(channel); }

}  // namespace net
