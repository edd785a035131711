#include "sim/trace/pcap_writer.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "trace_test_support.hpp"

using namespace sim::time_literals;
using trace::Endpoint;
using trace::IpAddress;
using trace::PcapWriter;

namespace {

constexpr std::int64_t kStart = 1'798'761'600;  // 2027-01-01T00:00:00Z

Endpoint endpoint(const char* address, std::uint16_t port) { return {*IpAddress::parse(address), port}; }

const Endpoint kCarrier = endpoint("198.51.100.7", 5060);
const Endpoint kSbcPstnSide = endpoint("198.51.100.20", 5060);
const Endpoint kSbc = endpoint("203.0.113.10", 5061);
const Endpoint kSbcClient = endpoint("203.0.113.10", 41000);
const Endpoint kProxy = endpoint("52.114.14.70", 5061);
const Endpoint kProxyClient = endpoint("52.114.14.70", 50123);

std::string sip(const std::string& start_line, const std::string& call_id, const std::string& cseq,
                const std::string& body = "") {
  const std::string method = cseq.substr(cseq.find(' ') + 1);
  std::string text = start_line + "\r\n" +
                     "Via: SIP/2.0/TLS sip.pstnhub.microsoft.com:5061;branch=z9hG4bK" + call_id + method + "\r\n" +
                     "Max-Forwards: 70\r\n" + "From: <sip:+14255550100@sip.pstnhub.microsoft.com;user=phone>;tag=a1\r\n" +
                     "To: <sip:+12065550100@sbc1.contoso.com;user=phone>\r\n" + "Call-ID: " + call_id + "\r\n" +
                     "CSeq: " + cseq + "\r\n" + "Contact: <sip:sip.pstnhub.microsoft.com:5061;transport=tls>\r\n";
  if (!body.empty()) text += "Content-Type: application/sdp\r\n";
  return text + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

const std::string kSdp =
    "v=0\r\no=- 1 1 IN IP4 52.114.14.70\r\ns=-\r\nc=IN IP4 52.114.14.70\r\nt=0 0\r\n"
    "m=audio 49152 RTP/SAVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^31|1:1\r\n";

std::string invite(const std::string& call_id) {
  return sip("INVITE sip:+12065550100@sbc1.contoso.com:5061;user=phone SIP/2.0", call_id, "1 INVITE", kSdp);
}
std::string response(const std::string& status, const std::string& call_id, const std::string& cseq) {
  return sip("SIP/2.0 " + status, call_id, cseq);
}
std::string request(const std::string& method, const std::string& call_id, const std::string& cseq) {
  return sip(method + " sip:+12065550100@sbc1.contoso.com:5061;user=phone SIP/2.0", call_id, cseq);
}

struct SipTally {
  int requests = 0;
  int responses = 0;
};

// A run's worth of traffic: the cases tshark must dissect, as the runner would write them.
struct Scenario {
  SipTally written;
  std::vector<std::string> decode_as;
  std::uint64_t packets = 0;
};

// Segments of 720 bytes: the INVITE with SDP needs two, 100 Trying and 180 Ringing fit in one.
constexpr std::uint16_t kScenarioSegmentSize = 720;

Scenario write_scenario(const std::filesystem::path& path) {
  auto writer = PcapWriter::open(path, {kStart, kScenarioSegmentSize});
  REQUIRE(writer.ok());
  Scenario scenario;
  const auto count = [&scenario](const std::string& message) {
    (message.rfind("SIP/2.0 ", 0) == 0 ? scenario.written.responses : scenario.written.requests)++;
    return message;
  };
  // SBC to Microsoft over TLS (decrypted): an OPTIONS ping and its answer.
  writer->tcp_connect(1_s, kSbcClient, kProxy);
  writer->tcp_send(1_s + 1_ms, kSbcClient, kProxy, count(request("OPTIONS", "ping-1", "1 OPTIONS")));
  writer->tcp_send(1_s + 13_ms, kProxy, kSbcClient, count(response("200 OK", "ping-1", "1 OPTIONS")));
  // Microsoft to the SBC: an INVITE longer than one segment, then two responses in one segment.
  const std::string big_invite = count(invite("call-7"));
  REQUIRE(big_invite.size() > kScenarioSegmentSize);
  REQUIRE(big_invite.size() <= 2 * kScenarioSegmentSize);
  const std::string two_responses =
      count(response("100 Trying", "call-7", "1 INVITE")) + count(response("180 Ringing", "call-7", "1 INVITE"));
  REQUIRE(two_responses.size() <= kScenarioSegmentSize);
  writer->tcp_connect(2_s, kProxyClient, kSbc);
  writer->tcp_send(2_s + 1_ms, kProxyClient, kSbc, big_invite);
  writer->tcp_send(2_s + 20_ms, kSbc, kProxyClient, two_responses);
  writer->tcp_send(8_s, kSbc, kProxyClient, count(response("486 Busy Here", "call-7", "1 INVITE")));
  writer->tcp_send(8_s + 12_ms, kProxyClient, kSbc, count(request("ACK", "call-7", "1 ACK")));
  writer->tcp_close(9_s, kProxyClient, kSbc);
  // A connection attempt the SBC refuses (no SIP, but it must not confuse the dissector).
  writer->tcp_syn(10_s, endpoint("52.114.14.70", 50124), kSbc);
  writer->tcp_syn_refused(10_s + 8_ms, endpoint("52.114.14.70", 50124), kSbc);
  // The PSTN side over UDP, IPv4 and IPv6.
  writer->udp_datagram(11_s, kCarrier, kSbcPstnSide, count(invite("pstn-1")));
  writer->udp_datagram(11_s + 5_ms, kSbcPstnSide, kCarrier, count(response("100 Trying", "pstn-1", "1 INVITE")));
  writer->udp_datagram(11_s + 9_ms, endpoint("2001:db8::7", 5060), endpoint("2001:db8::20", 5060),
                       count(request("OPTIONS", "pstn-ping", "5 OPTIONS")));
  scenario.decode_as = writer->tshark_decode_as();
  scenario.packets = writer->packets_written();
  REQUIRE_FALSE(writer->finish().has_value());
  return scenario;
}

std::string tshark(const std::filesystem::path& pcap, const std::vector<std::string>& decode_as,
                   const std::string& arguments) {
  // -n: no name lookups; -2: two passes, so reassembled messages are attributed correctly.
  std::string command = "tshark -n -2 -r '" + pcap.string() + "'";
  for (const std::string& spec : decode_as) command += " -d " + spec;
  return trace_test::run_command(command + " " + arguments + " 2>/dev/null").output;
}

std::vector<std::vector<std::string>> rows(const std::string& output) {
  std::vector<std::vector<std::string>> table;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields(1);
    for (const char c : line) {
      if (c == '|') fields.emplace_back();
      else fields.back() += c;
    }
    table.push_back(fields);
  }
  return table;
}

int values_in(const std::string& aggregated) {  // "OPTIONS,OPTIONS" holds 2
  if (aggregated.empty()) return 0;
  int values = 1;
  for (const char c : aggregated) values += c == ',' ? 1 : 0;
  return values;
}

bool skip_without_tshark() {
  if (trace_test::tool_present("tshark")) return false;
  std::printf("skipped: tshark not present\n");
  return true;
}

// The captured file, record by record.
struct Record {
  std::uint32_t seconds = 0;
  std::uint32_t nanoseconds = 0;
  std::string packet;
};

std::uint32_t little_endian32(const std::string& bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
  return value;
}
std::uint32_t big_endian(const std::string& bytes, std::size_t at, int size) {
  std::uint32_t value = 0;
  for (int i = 0; i < size; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
  return value;
}

std::vector<Record> records(const std::string& file) {
  std::vector<Record> found;
  for (std::size_t at = 24; at + 16 <= file.size();) {
    const std::uint32_t length = little_endian32(file, at + 8);
    found.push_back({little_endian32(file, at), little_endian32(file, at + 4), file.substr(at + 16, length)});
    at += 16 + length;
  }
  return found;
}

struct TcpSegment {
  std::uint32_t sequence;
  std::uint32_t acknowledgement;
  std::uint8_t flags;
  std::string payload;
};

TcpSegment tcp_of(const std::string& packet) {
  const std::size_t ip_length = (static_cast<unsigned char>(packet[0]) & 0x0f) * 4U;
  const std::size_t tcp_length = (static_cast<unsigned char>(packet[ip_length + 12]) >> 4) * 4U;
  return {big_endian(packet, ip_length + 4, 4), big_endian(packet, ip_length + 8, 4),
          static_cast<std::uint8_t>(packet[ip_length + 13]), packet.substr(ip_length + tcp_length)};
}

}  // namespace

TEST_CASE("the pcap file header is classic libpcap with nanosecond timestamps and raw IP") {
  trace_test::TemporaryFolder folder;
  auto writer = PcapWriter::open(folder / "trace.pcap");
  REQUIRE(writer.ok());
  REQUIRE_FALSE(writer->finish().has_value());
  const std::string file = trace_test::read_file(folder / "trace.pcap");
  const std::string expected(
      "\x4d\x3c\xb2\xa1"   // magic: nanosecond timestamps, little-endian
      "\x02\x00\x04\x00"   // version 2.4
      "\x00\x00\x00\x00"   // UTC
      "\x00\x00\x00\x00"   // timestamp accuracy
      "\x00\x00\x04\x00"   // snapshot length 262144
      "\x65\x00\x00\x00",  // LINKTYPE_RAW (101)
      24);
  CHECK(file == expected);
}

TEST_CASE("packets carry the simulated time after the experiment's start") {
  trace_test::TemporaryFolder folder;
  auto writer = PcapWriter::open(folder / "trace.pcap", {kStart, 1460});
  REQUIRE(writer.ok());
  writer->udp_datagram(1_s + 500_ms + 7_ns, kCarrier, kSbcPstnSide, "x");
  writer->udp_datagram(3600_s, kCarrier, kSbcPstnSide, "y");
  REQUIRE_FALSE(writer->finish().has_value());
  const std::vector<Record> found = records(trace_test::read_file(folder / "trace.pcap"));
  REQUIRE(found.size() == 2);
  CHECK(found[0].seconds == kStart + 1);
  CHECK(found[0].nanoseconds == 500'000'007);
  CHECK(found[1].seconds == kStart + 3600);
  CHECK(found[1].nanoseconds == 0);
  CHECK(found[0].packet.size() == 20 + 8 + 1);
}

TEST_CASE("every IPv4 header checksum sums to all ones") {
  trace_test::TemporaryFolder folder;
  const Scenario scenario = write_scenario(folder / "trace.pcap");
  std::uint64_t checked = 0;
  for (const Record& record : records(trace_test::read_file(folder / "trace.pcap"))) {
    if ((static_cast<unsigned char>(record.packet[0]) >> 4) != 4) continue;
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < 20; i += 2) sum += big_endian(record.packet, i, 2);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    CHECK(sum == 0xffff);
    CHECK(big_endian(record.packet, 2, 2) == record.packet.size());  // total length
    ++checked;
  }
  CHECK(checked == scenario.packets - 1);  // all but the one IPv6 datagram
}

TEST_CASE("TCP sequence numbers advance per direction with handshake data and FIN") {
  trace_test::TemporaryFolder folder;
  auto writer = PcapWriter::open(folder / "trace.pcap", {kStart, 536});
  REQUIRE(writer.ok());
  const std::string message = invite("call-7");  // 537 to 1072 bytes: two segments
  REQUIRE(message.size() > 536);
  writer->tcp_connect(1_s, kProxyClient, kSbc);
  writer->tcp_send(2_s, kProxyClient, kSbc, message);
  writer->tcp_send(3_s, kSbc, kProxyClient, "pong");
  writer->tcp_close(4_s, kSbc, kProxyClient);
  REQUIRE_FALSE(writer->finish().has_value());
  const std::vector<Record> found = records(trace_test::read_file(folder / "trace.pcap"));
  REQUIRE(found.size() == 9);
  std::vector<TcpSegment> tcp;
  for (const Record& record : found) tcp.push_back(tcp_of(record.packet));
  const std::uint32_t client = tcp[0].sequence;
  const std::uint32_t server = tcp[1].sequence;
  CHECK(tcp[0].flags == 0x02);  // SYN
  CHECK(tcp[1].flags == 0x12);  // SYN, ACK
  CHECK(tcp[1].acknowledgement == client + 1);
  CHECK(tcp[2].flags == 0x10);  // ACK
  CHECK((tcp[2].sequence == client + 1 && tcp[2].acknowledgement == server + 1));
  // The message in two segments, the first full, PSH on the last.
  CHECK(tcp[3].payload == message.substr(0, 536));
  CHECK(tcp[3].flags == 0x10);
  CHECK(tcp[4].payload == message.substr(536));
  CHECK(tcp[4].flags == 0x18);
  CHECK(tcp[4].sequence == client + 1 + 536);
  // The answer acknowledges every byte of the message.
  CHECK(tcp[5].sequence == server + 1);
  CHECK(tcp[5].acknowledgement == client + 1 + message.size());
  // The server closes: FIN, FIN back, last ACK, each FIN taking one number.
  CHECK((tcp[6].flags == 0x11 && tcp[6].sequence == server + 5));
  CHECK((tcp[7].flags == 0x11 && tcp[7].sequence == client + 1 + message.size() && tcp[7].acknowledgement == server + 6));
  CHECK((tcp[8].flags == 0x10 && tcp[8].acknowledgement == client + 2 + message.size()));
  CHECK(tcp[0].sequence != tcp[1].sequence);
}

TEST_CASE("a send on an unseen connection opens it first and closing an unknown one writes nothing") {
  trace_test::TemporaryFolder folder;
  auto writer = PcapWriter::open(folder / "trace.pcap");
  REQUIRE(writer.ok());
  writer->tcp_close(1_s, kSbcClient, kProxy);
  CHECK(writer->packets_written() == 0);
  writer->tcp_send(2_s, kSbcClient, kProxy, "hello");
  REQUIRE_FALSE(writer->finish().has_value());
  const std::vector<Record> found = records(trace_test::read_file(folder / "trace.pcap"));
  REQUIRE(found.size() == 4);
  CHECK(tcp_of(found[0].packet).flags == 0x02);
  CHECK(tcp_of(found[1].packet).flags == 0x12);
  CHECK(tcp_of(found[2].packet).flags == 0x10);
  CHECK(tcp_of(found[3].packet).payload == "hello");
  CHECK(tcp_of(found[3].packet).sequence == tcp_of(found[0].packet).sequence + 1);
}

TEST_CASE("unanswered SYNs repeat their sequence number and a reset ends an open connection") {
  // A user's review: a dropped connect and a reset connection left no trace in the pcap.
  trace_test::TemporaryFolder folder;
  auto writer = PcapWriter::open(folder / "trace.pcap");
  REQUIRE(writer.ok());
  writer->tcp_syn(1_s, kProxyClient, kSbc);
  writer->tcp_syn(4_s, kProxyClient, kSbc);
  writer->tcp_connect(10_s, kSbcClient, kProxy);
  writer->tcp_send(11_s, kSbcClient, kProxy, "OPTIONS");
  writer->tcp_reset(12_s, kProxy, kSbcClient);
  writer->tcp_reset(13_s, kProxy, kSbcClient);  // the connection is gone: nothing more
  REQUIRE_FALSE(writer->finish().has_value());
  const std::vector<Record> found = records(trace_test::read_file(folder / "trace.pcap"));
  REQUIRE(found.size() == 2 + 3 + 1 + 1);
  CHECK(tcp_of(found[0].packet).flags == 0x02);
  CHECK(tcp_of(found[1].packet).flags == 0x02);
  CHECK(tcp_of(found[1].packet).sequence == tcp_of(found[0].packet).sequence);  // a retransmission
  const TcpSegment reset = tcp_of(found[6].packet);
  CHECK(reset.flags == 0x14);  // RST, ACK
  // From the proxy: its next sequence number, acknowledging the 7 bytes it received.
  CHECK(reset.sequence == tcp_of(found[3].packet).sequence + 1);
  CHECK(reset.acknowledgement == tcp_of(found[5].packet).sequence + 7);
}

TEST_CASE("a handshake written packet by packet keeps each packet's time and one sequence number") {
  // A user's review: SYN, SYN-ACK and ACK all carried the SYN-ACK's time, so students read a
  // 0 ms handshake over an 8 ms link.
  trace_test::TemporaryFolder folder;
  auto writer = PcapWriter::open(folder / "trace.pcap");
  REQUIRE(writer.ok());
  writer->tcp_syn(1_s, kSbcClient, kProxy);
  writer->tcp_syn(2_s, kSbcClient, kProxy);  // the first was lost
  writer->tcp_syn_ack(2_s + 8_ms, kSbcClient, kProxy);
  writer->tcp_handshake_ack(2_s + 16_ms, kSbcClient, kProxy);
  writer->tcp_send(2_s + 17_ms, kSbcClient, kProxy, "OPTIONS");
  writer->tcp_syn(3_s, kProxyClient, kSbc);
  writer->tcp_syn_refused(3_s + 8_ms, kProxyClient, kSbc);
  REQUIRE_FALSE(writer->finish().has_value());
  const std::vector<Record> found = records(trace_test::read_file(folder / "trace.pcap"));
  REQUIRE(found.size() == 7);
  std::vector<TcpSegment> tcp;
  for (const Record& record : found) tcp.push_back(tcp_of(record.packet));
  CHECK(tcp[1].sequence == tcp[0].sequence);
  CHECK((tcp[2].flags == 0x12 && tcp[2].acknowledgement == tcp[0].sequence + 1));
  CHECK((tcp[3].flags == 0x10 && tcp[3].sequence == tcp[0].sequence + 1 && tcp[3].acknowledgement == tcp[2].sequence + 1));
  CHECK(tcp[4].payload == "OPTIONS");
  CHECK(tcp[4].sequence == tcp[0].sequence + 1);
  CHECK((tcp[6].flags == 0x14 && tcp[6].acknowledgement == tcp[5].sequence + 1));
  CHECK(found[2].nanoseconds - found[1].nanoseconds == 8'000'000);
  CHECK(found[3].nanoseconds - found[2].nanoseconds == 8'000'000);
}

TEST_CASE("tshark is told to decode every port the file used as SIP") {
  trace_test::TemporaryFolder folder;
  const Scenario scenario = write_scenario(folder / "trace.pcap");
  CHECK(scenario.decode_as == std::vector<std::string>{"tcp.port==5061,sip", "udp.port==5060,sip"});
}

TEST_CASE("tshark dissects every SIP message with none malformed") {
  if (skip_without_tshark()) return;
  trace_test::TemporaryFolder folder;
  const Scenario scenario = write_scenario(folder / "trace.pcap");
  const auto path = folder / "trace.pcap";

  SipTally seen;
  int frames_with_two = 0;
  const std::string messages = tshark(path, scenario.decode_as,
                                      "-Y sip -T fields -E separator='|' -e frame.number -e sip.Method -e sip.Status-Code");
  for (const auto& row : rows(messages)) {
    REQUIRE(row.size() == 3);
    seen.requests += values_in(row[1]);
    seen.responses += values_in(row[2]);
    if (values_in(row[1]) + values_in(row[2]) == 2) ++frames_with_two;
  }
  CHECK(seen.requests == scenario.written.requests);
  CHECK(seen.responses == scenario.written.responses);
  CHECK(frames_with_two == 1);  // 100 Trying and 180 Ringing shared a segment

  // Anything suspect: malformed or warned SIP, a UDP datagram that is not SIP, TCP bytes that
  // are neither SIP nor part of a reassembled message, SIP without its mandatory headers.
  const std::string suspect = tshark(path, scenario.decode_as,
      "-T fields -e frame.number -e _ws.col.Info -Y '_ws.malformed || (sip && _ws.expert.severity >= 0x00600000)"
      " || (udp && !sip) || (tcp.len > 0 && !sip && !tcp.reassembled_in)"
      " || (sip && !(sip.Via && sip.From && sip.To && sip.Call-ID && sip.CSeq))'");
  CHECK(suspect == "");
  // The split INVITE: its first segment is reassembled into the frame that shows the INVITE.
  CHECK(rows(tshark(path, scenario.decode_as, "-Y 'tcp.reassembled_in' -T fields -e frame.number")).size() == 1);
}

TEST_CASE("tshark finds every checksum good and the TCP streams consistent") {
  if (skip_without_tshark()) return;
  trace_test::TemporaryFolder folder;
  const Scenario scenario = write_scenario(folder / "trace.pcap");
  const std::string output = tshark(folder / "trace.pcap", scenario.decode_as,
      "-o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -T fields -E separator='|'"
      " -e frame.number -e ip.checksum.status -e tcp.checksum.status -e udp.checksum.status -e tcp.analysis.flags");
  const auto table = rows(output);
  CHECK(table.size() == scenario.packets);
  for (const auto& row : table) {
    CAPTURE(row[0]);
    REQUIRE(row.size() == 5);
    // 1 is "Good"; IPv6 has no header checksum, so that column may be empty.
    CHECK((row[1] == "1" || row[1].empty()));
    CHECK((row[2] == "1" || row[3] == "1"));
    CHECK(row[4] == "");  // no lost segments, retransmissions, out-of-order or reused ports
  }
}

TEST_CASE("the tshark check sees a damaged IPv4 checksum") {
  if (skip_without_tshark()) return;
  trace_test::TemporaryFolder folder;
  const Scenario scenario = write_scenario(folder / "trace.pcap");
  std::string file = trace_test::read_file(folder / "trace.pcap");
  file[24 + 16 + 10] = static_cast<char>(file[24 + 16 + 10] ^ 0x01);  // first packet's header checksum
  trace_test::write_file(folder / "damaged.pcap", file);
  const std::string bad = tshark(folder / "damaged.pcap", scenario.decode_as,
                                 "-o ip.check_checksum:TRUE -Y 'ip.checksum.status == 0' -T fields -e frame.number");
  CHECK(bad == "1\n");
}
