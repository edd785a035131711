#include "sim/trace/pcap_writer.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "sim/core/check.hpp"

namespace trace {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint32_t kPcapNanosecondMagic = 0xa1b23c4d;
constexpr std::uint32_t kSnapshotLength = 262144;
constexpr std::uint32_t kLinkTypeRaw = 101;  // the packet starts with the IPv4 or IPv6 header

constexpr std::uint8_t kProtocolTcp = 6;
constexpr std::uint8_t kProtocolUdp = 17;
constexpr std::uint8_t kHopLimit = 64;

constexpr std::uint8_t kTcpFin = 0x01;
constexpr std::uint8_t kTcpSyn = 0x02;
constexpr std::uint8_t kTcpRst = 0x04;
constexpr std::uint8_t kTcpPsh = 0x08;
constexpr std::uint8_t kTcpAck = 0x10;
constexpr std::uint16_t kTcpWindow = 65535;

void put_big_endian(Bytes& out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}
void put_little_endian(Bytes& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}
void set_big_endian16(Bytes& out, std::size_t offset, std::uint16_t value) {
  out[offset] = static_cast<std::uint8_t>(value >> 8);
  out[offset + 1] = static_cast<std::uint8_t>(value);
}

// RFC 1071: the 16-bit ones' complement sum, kept wide and folded at the end. An odd-length
// run is padded with a zero byte, which only ever happens for the last run summed.
std::uint64_t add_to_checksum(std::uint64_t sum, std::span<const std::uint8_t> bytes) {
  for (std::size_t i = 0; i < bytes.size(); i += 2) {
    const std::uint64_t high = bytes[i];
    const std::uint64_t low = i + 1 < bytes.size() ? bytes[i + 1] : 0;
    sum += (high << 8) | low;
  }
  return sum;
}
std::uint16_t finish_checksum(std::uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

// The UDP/TCP checksum covers a pseudo-header of the addresses, protocol and length
// (RFC 768; RFC 9293 §3.1; RFC 8200 §8.1 for IPv6).
std::uint16_t transport_checksum(const IpAddress& from, const IpAddress& to, std::uint8_t protocol,
                                 std::span<const std::uint8_t> segment) {
  std::uint64_t sum = add_to_checksum(0, from.bytes());
  sum = add_to_checksum(sum, to.bytes());
  sum += protocol;
  sum += segment.size();
  return finish_checksum(add_to_checksum(sum, segment));
}

Bytes ip_header(const IpAddress& from, const IpAddress& to, std::uint8_t protocol, std::size_t payload_size,
                std::uint16_t identification) {
  Bytes header;
  if (from.is_v6()) {
    put_big_endian(header, 0x60000000, 4);  // version 6, traffic class 0, flow label 0
    put_big_endian(header, payload_size, 2);
    header.push_back(protocol);
    header.push_back(kHopLimit);
  } else {
    header.push_back(0x45);  // version 4, 5 words of header
    header.push_back(0);
    put_big_endian(header, 20 + payload_size, 2);
    put_big_endian(header, identification, 2);
    put_big_endian(header, 0x4000, 2);  // don't fragment, offset 0
    header.push_back(kHopLimit);
    header.push_back(protocol);
    put_big_endian(header, 0, 2);  // checksum, filled in below
  }
  const std::span<const std::uint8_t> source = from.bytes();
  const std::span<const std::uint8_t> destination = to.bytes();
  header.insert(header.end(), source.begin(), source.end());
  header.insert(header.end(), destination.begin(), destination.end());
  // RFC 791 §3.1: the IPv4 header checksum covers the header alone; IPv6 has none.
  if (!from.is_v6()) set_big_endian16(header, 10, finish_checksum(add_to_checksum(0, header)));
  return header;
}

// splitmix64's output function: spreads consecutive counters over the whole range, so initial
// sequence numbers look like a real stack's without any randomness.
std::uint64_t mix(std::uint64_t value) {
  value += 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

std::span<const std::uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

IpAddress IpAddress::v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  IpAddress address;
  address.bytes_ = {a, b, c, d};
  return address;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  const std::string terminated(text);
  IpAddress address;
  if (inet_pton(AF_INET, terminated.c_str(), address.bytes_.data()) == 1) return address;
  if (inet_pton(AF_INET6, terminated.c_str(), address.bytes_.data()) == 1) {
    address.v6_ = true;
    return address;
  }
  return std::nullopt;
}

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6_ ? AF_INET6 : AF_INET, bytes_.data(), text, sizeof text);
  return text;
}

sim::Result<PcapWriter, OutputError> PcapWriter::open(const std::filesystem::path& path, PcapOptions options) {
  DRSIM_CHECK(options.maximum_segment_size > 0, "PcapWriter: the maximum segment size must be positive");
  auto file = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
  if (!*file) return sim::Failure{OutputError{path, "cannot create the file"}};
  Bytes header;
  put_little_endian(header, kPcapNanosecondMagic, 4);
  put_little_endian(header, 2, 2);  // version 2.4
  put_little_endian(header, 4, 2);
  put_little_endian(header, 0, 4);  // timestamps are UTC
  put_little_endian(header, 0, 4);  // timestamp accuracy (always 0)
  put_little_endian(header, kSnapshotLength, 4);
  put_little_endian(header, kLinkTypeRaw, 4);
  file->write(reinterpret_cast<const char*>(header.data()), static_cast<std::streamsize>(header.size()));
  return PcapWriter(path, std::move(file), options);
}

PcapWriter::PcapWriter(std::filesystem::path path, std::unique_ptr<std::ofstream> file, PcapOptions options)
    : path_(std::move(path)), file_(std::move(file)), options_(options) {}
PcapWriter::PcapWriter(PcapWriter&&) noexcept = default;
PcapWriter& PcapWriter::operator=(PcapWriter&&) noexcept = default;
PcapWriter::~PcapWriter() = default;

void PcapWriter::write_packet(sim::Time at, const Endpoint& from, const Endpoint& to, std::uint8_t protocol,
                              std::span<const std::uint8_t> transport) {
  DRSIM_CHECK(file_ != nullptr, "PcapWriter used after finish()");
  DRSIM_CHECK(from.address.is_v6() == to.address.is_v6(), "PcapWriter: a packet between IPv4 and IPv6");
  DRSIM_CHECK(transport.size() <= 65535 - 40, "PcapWriter: a packet larger than IP allows");
  DRSIM_CHECK(at >= sim::Time::zero(), "PcapWriter: a packet before the start of the run");
  Bytes packet = ip_header(from.address, to.address, protocol, transport.size(), ipv4_identification_++);
  packet.insert(packet.end(), transport.begin(), transport.end());

  const std::int64_t seconds = options_.start_unix_seconds + at.nanoseconds() / 1'000'000'000;
  DRSIM_CHECK(seconds >= 0 && seconds <= 0xffffffffLL, "PcapWriter: a timestamp outside the pcap clock (1970-2106)");
  Bytes record;
  put_little_endian(record, static_cast<std::uint64_t>(seconds), 4);
  put_little_endian(record, static_cast<std::uint64_t>(at.nanoseconds() % 1'000'000'000), 4);
  put_little_endian(record, packet.size(), 4);  // bytes captured
  put_little_endian(record, packet.size(), 4);  // bytes on the wire
  record.insert(record.end(), packet.begin(), packet.end());
  file_->write(reinterpret_cast<const char*>(record.data()), static_cast<std::streamsize>(record.size()));
  ++packets_written_;
}

void PcapWriter::udp_datagram(sim::Time at, const Endpoint& from, const Endpoint& to, std::string_view payload) {
  Bytes segment;
  put_big_endian(segment, from.port, 2);
  put_big_endian(segment, to.port, 2);
  put_big_endian(segment, 8 + payload.size(), 2);
  put_big_endian(segment, 0, 2);
  segment.insert(segment.end(), payload.begin(), payload.end());
  // RFC 768: a computed checksum of zero is sent as all ones (zero means "none").
  const std::uint16_t checksum = transport_checksum(from.address, to.address, kProtocolUdp, segment);
  set_big_endian16(segment, 6, checksum == 0 ? 0xffff : checksum);
  write_packet(at, from, to, kProtocolUdp, segment);
  decode_as_.insert("udp.port==" + std::to_string(from.port) + ",sip");
  decode_as_.insert("udp.port==" + std::to_string(to.port) + ",sip");
}

void PcapWriter::write_tcp(sim::Time at, const Endpoint& from, const Endpoint& to, std::uint32_t sequence,
                           std::uint32_t acknowledgement, std::uint8_t flags, std::span<const std::uint8_t> payload) {
  // A SYN carries the MSS option (RFC 9293 §3.7.1), making the header 6 words long.
  const bool with_mss = (flags & kTcpSyn) != 0;
  Bytes segment;
  put_big_endian(segment, from.port, 2);
  put_big_endian(segment, to.port, 2);
  put_big_endian(segment, sequence, 4);
  put_big_endian(segment, (flags & kTcpAck) != 0 ? acknowledgement : 0, 4);
  segment.push_back(static_cast<std::uint8_t>((with_mss ? 6 : 5) << 4));
  segment.push_back(flags);
  put_big_endian(segment, kTcpWindow, 2);
  put_big_endian(segment, 0, 2);  // checksum, filled in below
  put_big_endian(segment, 0, 2);  // urgent pointer
  if (with_mss) {
    segment.push_back(2);  // kind: maximum segment size
    segment.push_back(4);
    put_big_endian(segment, options_.maximum_segment_size, 2);
  }
  segment.insert(segment.end(), payload.begin(), payload.end());
  set_big_endian16(segment, 16, transport_checksum(from.address, to.address, kProtocolTcp, segment));
  write_packet(at, from, to, kProtocolTcp, segment);
}

std::uint32_t PcapWriter::next_initial_sequence() {
  return static_cast<std::uint32_t>(mix(initial_sequences_drawn_++));
}

std::uint32_t PcapWriter::client_initial_sequence(const Endpoint& client, const Endpoint& server, bool answered) {
  const auto pending = unanswered_syns_.find({client, server});
  if (pending == unanswered_syns_.end()) {
    const std::uint32_t initial = next_initial_sequence();
    if (!answered) unanswered_syns_.emplace(ConnectionKey{client, server}, initial);
    return initial;
  }
  const std::uint32_t initial = pending->second;
  if (answered) unanswered_syns_.erase(pending);
  return initial;
}

void PcapWriter::tcp_connect(sim::Time at, const Endpoint& client, const Endpoint& server) {
  const std::uint32_t client_initial = client_initial_sequence(client, server, true);
  const std::uint32_t server_initial = next_initial_sequence();
  write_tcp(at, client, server, client_initial, 0, kTcpSyn, {});
  write_tcp(at, server, client, server_initial, client_initial + 1, kTcpSyn | kTcpAck, {});
  write_tcp(at, client, server, client_initial + 1, server_initial + 1, kTcpAck, {});
  connections_[{client, server}].next_sequence = {client_initial + 1, server_initial + 1};
  decode_as_.insert("tcp.port==" + std::to_string(server.port) + ",sip");
}

void PcapWriter::tcp_syn(sim::Time at, const Endpoint& client, const Endpoint& server) {
  write_tcp(at, client, server, client_initial_sequence(client, server, false), 0, kTcpSyn, {});
}

void PcapWriter::tcp_syn_ack(sim::Time at, const Endpoint& client, const Endpoint& server) {
  const std::uint32_t client_initial = client_initial_sequence(client, server, true);
  const std::uint32_t server_initial = next_initial_sequence();
  write_tcp(at, server, client, server_initial, client_initial + 1, kTcpSyn | kTcpAck, {});
  connections_[{client, server}].next_sequence = {client_initial + 1, server_initial + 1};
  decode_as_.insert("tcp.port==" + std::to_string(server.port) + ",sip");
}

void PcapWriter::tcp_handshake_ack(sim::Time at, const Endpoint& client, const Endpoint& server) {
  const auto connection = connections_.find({client, server});
  if (connection == connections_.end()) return;
  const std::array<std::uint32_t, 2>& next = connection->second.next_sequence;
  write_tcp(at, client, server, next[0], next[1], kTcpAck, {});
}

void PcapWriter::tcp_syn_refused(sim::Time at, const Endpoint& client, const Endpoint& server) {
  // RFC 9293 §3.10.7.1: SEQ 0 and ACK SYN+1.
  write_tcp(at, server, client, 0, client_initial_sequence(client, server, true) + 1, kTcpRst | kTcpAck, {});
}

void PcapWriter::tcp_reset(sim::Time at, const Endpoint& from, const Endpoint& to) {
  const Direction found = find_connection(from, to);
  if (found.connection == connections_.end()) return;
  const std::array<std::uint32_t, 2>& next = found.connection->second.next_sequence;
  // RFC 9293 §3.10.7: a reset carries the sender's next sequence number.
  write_tcp(at, from, to, next[found.index], next[1 - found.index], kTcpRst | kTcpAck, {});
  connections_.erase(found.connection);
}

PcapWriter::Direction PcapWriter::find_connection(const Endpoint& from, const Endpoint& to) {
  if (const auto forward = connections_.find({from, to}); forward != connections_.end()) return {forward, 0};
  if (const auto backward = connections_.find({to, from}); backward != connections_.end()) return {backward, 1};
  return {connections_.end(), 0};
}

void PcapWriter::tcp_send(sim::Time at, const Endpoint& from, const Endpoint& to, std::string_view bytes) {
  Direction found = find_connection(from, to);
  if (found.connection == connections_.end()) {
    tcp_connect(at, from, to);
    found = find_connection(from, to);
  }
  const std::size_t direction = found.index;
  std::array<std::uint32_t, 2>& next = found.connection->second.next_sequence;
  const std::span<const std::uint8_t> payload = as_bytes(bytes);
  for (std::size_t offset = 0; offset < payload.size(); offset += options_.maximum_segment_size) {
    const std::size_t size = std::min<std::size_t>(options_.maximum_segment_size, payload.size() - offset);
    const bool last = offset + size == payload.size();
    write_tcp(at, from, to, next[direction], next[1 - direction], last ? kTcpPsh | kTcpAck : kTcpAck,
              payload.subspan(offset, size));
    next[direction] += static_cast<std::uint32_t>(size);
  }
}

void PcapWriter::tcp_close(sim::Time at, const Endpoint& closer, const Endpoint& peer) {
  const Direction found = find_connection(closer, peer);
  if (found.connection == connections_.end()) return;
  const std::size_t direction = found.index;
  std::array<std::uint32_t, 2>& next = found.connection->second.next_sequence;
  const std::size_t other = 1 - direction;
  // Each FIN takes one sequence number (RFC 9293 §3.4).
  write_tcp(at, closer, peer, next[direction], next[other], kTcpFin | kTcpAck, {});
  ++next[direction];
  write_tcp(at, peer, closer, next[other], next[direction], kTcpFin | kTcpAck, {});
  ++next[other];
  write_tcp(at, closer, peer, next[direction], next[other], kTcpAck, {});
  connections_.erase(found.connection);
}

std::vector<std::string> PcapWriter::tshark_decode_as() const { return {decode_as_.begin(), decode_as_.end()}; }

std::optional<OutputError> PcapWriter::finish() {
  if (!file_) return OutputError{path_, "the pcap was already finished"};
  const std::unique_ptr<std::ofstream> file = std::move(file_);
  file->close();
  if (!*file) return OutputError{path_, "write failed (disk full?)"};
  return std::nullopt;
}

}  // namespace trace
