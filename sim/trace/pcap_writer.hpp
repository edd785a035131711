#pragma once
// trace.pcap: every SIP message of a run as the packets a capture on the wire would hold, with
// simulated timestamps, for Wireshark and tshark. TLS legs appear as their decrypted bytes on
// plain TCP at the real port (5061), so the SIP is readable.
//
// Format: classic libpcap (not pcapng) with nanosecond timestamps (magic 0xa1b23c4d, written
// little-endian), LINKTYPE_RAW (101): each record is a bare IPv4 or IPv6 packet. The writer
// builds the IP, UDP and TCP headers with correct checksums (RFC 791, RFC 768, RFC 9293
// §3.1): a TCP connection opens with SYN, SYN-ACK, ACK, its sequence numbers advance per
// direction with the bytes sent, and a send larger than the maximum segment size is cut into
// segments, so tshark reassembles each SIP message. UDP datagrams are written whole (no IP
// fragments, whatever their size).
//
// Reading it: tshark decodes UDP and TCP port 5060 as SIP by itself. For any other port, and
// for 5061 (which it would otherwise take for TLS and decode only through its heuristics),
// pass one `-d SPEC` per entry of tshark_decode_as(), e.g.
//   tshark -n -2 -r trace.pcap -d tcp.port==5061,sip -Y sip
// (-2 runs two passes, so a message split over segments is shown whole in its last one).
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/core/result.hpp"
#include "sim/core/time.hpp"
#include "sim/trace/output_file.hpp"

namespace trace {

class IpAddress {
 public:
  IpAddress() = default;  // 0.0.0.0
  static IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d);
  // "203.0.113.10" or "2001:db8::10"; nullopt for anything else.
  static std::optional<IpAddress> parse(std::string_view text);

  bool is_v6() const { return v6_; }
  std::span<const std::uint8_t> bytes() const { return {bytes_.data(), v6_ ? 16U : 4U}; }
  std::string to_string() const;
  auto operator<=>(const IpAddress&) const = default;

 private:
  std::array<std::uint8_t, 16> bytes_{};
  bool v6_ = false;
};

struct Endpoint {
  IpAddress address;
  std::uint16_t port = 0;
  auto operator<=>(const Endpoint&) const = default;
};

struct PcapOptions {
  // The capture clock at simulated time zero, in seconds since 1970 (the experiment's start),
  // so Wireshark shows the simulated wall clock.
  std::int64_t start_unix_seconds = 0;
  // TCP payload bytes per segment; announced in the SYN's MSS option too.
  std::uint16_t maximum_segment_size = 1460;
};

class PcapWriter {
 public:
  // Creates (or truncates) `path` and writes the file header.
  static sim::Result<PcapWriter, OutputError> open(const std::filesystem::path& path, PcapOptions options = {});

  PcapWriter(PcapWriter&&) noexcept;
  PcapWriter& operator=(PcapWriter&&) noexcept;
  ~PcapWriter();

  // Every call writes packets stamped `at`; calls must come in time order, as a capture would.
  void udp_datagram(sim::Time at, const Endpoint& from, const Endpoint& to, std::string_view payload);
  // SYN, SYN-ACK, ACK. Reconnecting on the same four addresses and ports starts a new
  // connection with new sequence numbers.
  void tcp_connect(sim::Time at, const Endpoint& client, const Endpoint& server);
  // The three packets of a handshake one at a time, each at its own time: a SYN as it is sent
  // (also one nothing answers: dropped, lost, a down host; a retransmission repeats its
  // sequence number), the SYN-ACK that answers it, the client's ACK. tcp_syn_refused is the
  // RST that answers a SYN already written (nothing listening, or a firewall rejecting).
  void tcp_syn(sim::Time at, const Endpoint& client, const Endpoint& server);
  void tcp_syn_ack(sim::Time at, const Endpoint& client, const Endpoint& server);
  void tcp_handshake_ack(sim::Time at, const Endpoint& client, const Endpoint& server);
  void tcp_syn_refused(sim::Time at, const Endpoint& client, const Endpoint& server);
  // RST from `from` on an open connection (a reset, or bytes reaching a closed end); the
  // connection is gone. Unknown connections are ignored.
  void tcp_reset(sim::Time at, const Endpoint& from, const Endpoint& to);
  // The bytes in segments of at most maximum_segment_size, the last one with PSH. A send on a
  // connection the writer has not seen opens it first (`from` as the client).
  void tcp_send(sim::Time at, const Endpoint& from, const Endpoint& to, std::string_view bytes);
  // FIN from `closer`, FIN from the peer, the last ACK. Unknown connections are ignored.
  void tcp_close(sim::Time at, const Endpoint& closer, const Endpoint& peer);

  // tshark "decode as" specs that make it dissect every port this file used as SIP:
  // "tcp.port==N,sip" for each TCP server port, "udp.port==N,sip" for each UDP port.
  std::vector<std::string> tshark_decode_as() const;
  std::uint64_t packets_written() const { return packets_written_; }

  // Flushes and closes the file; nullopt when every packet reached it.
  [[nodiscard]] std::optional<OutputError> finish();

 private:
  // One direction of a TCP connection: 0 client to server, 1 server to client.
  struct TcpConnection {
    std::array<std::uint32_t, 2> next_sequence{};
  };
  using ConnectionKey = std::pair<Endpoint, Endpoint>;  // (client, server)
  using Connections = std::map<ConnectionKey, TcpConnection>;
  // A connection seen from one sender: index 0 when `from` is the client, 1 when the server.
  struct Direction {
    Connections::iterator connection;
    std::size_t index;
  };

  PcapWriter(std::filesystem::path path, std::unique_ptr<std::ofstream> file, PcapOptions options);
  void write_tcp(sim::Time at, const Endpoint& from, const Endpoint& to, std::uint32_t sequence,
                 std::uint32_t acknowledgement, std::uint8_t flags, std::span<const std::uint8_t> payload);
  void write_packet(sim::Time at, const Endpoint& from, const Endpoint& to, std::uint8_t protocol,
                    std::span<const std::uint8_t> transport);
  std::uint32_t next_initial_sequence();
  // The client's initial sequence number for a SYN to `server`: its unanswered SYN's, else new.
  std::uint32_t client_initial_sequence(const Endpoint& client, const Endpoint& server, bool answered);
  Direction find_connection(const Endpoint& from, const Endpoint& to);

  std::filesystem::path path_;
  std::unique_ptr<std::ofstream> file_;
  PcapOptions options_;
  Connections connections_;
  // The initial sequence number of SYNs not answered yet: a retransmitted SYN repeats it, and
  // the connection that finally opens (or is refused) starts from it.
  std::map<ConnectionKey, std::uint32_t> unanswered_syns_;
  std::set<std::string> decode_as_;
  std::uint64_t initial_sequences_drawn_ = 0;
  std::uint16_t ipv4_identification_ = 0;
  std::uint64_t packets_written_ = 0;
};

}  // namespace trace
