#include "sim/trace/event_trace_writer.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "trace_test_support.hpp"

using drsim::trace::Event;

namespace {

const std::string kInvite =
    "INVITE sip:+12065550100@sbc1.contoso.com:5061;user=phone SIP/2.0\r\n"
    "Via: SIP/2.0/TLS sip.pstnhub.microsoft.com:5061;branch=z9hG4bK1\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:+14255550100@sip.pstnhub.microsoft.com;user=phone>;tag=1\r\n"
    "To: <sip:+12065550100@sbc1.contoso.com;user=phone>\r\n"
    "Call-ID: call-7@sip.pstnhub.microsoft.com\r\n"
    "CSeq: 1 INVITE\r\n"
    "Content-Length: 0\r\n\r\n";

std::vector<Event> sample_events() {
  std::vector<Event> events(5);
  events[0].set_time_ns(10'000'000'000);
  events[0].set_actor("emea-ams proxy");
  events[0].set_call_id("7");
  events[0].set_running_fingerprint(0x3f9a0c1d77e2b410);
  auto* sent = events[0].mutable_sip_sent();
  sent->set_peer("sbc1");
  sent->set_transport(drsim::trace::TRANSPORT_TLS);
  sent->mutable_local()->set_address("52.114.14.70");
  sent->mutable_local()->set_port(50123);
  sent->mutable_remote()->set_address("203.0.113.10");
  sent->mutable_remote()->set_port(5061);
  sent->set_message(kInvite + std::string("\0binary\xff", 8));

  events[1].set_time_ns(10'012'000'000);
  events[1].set_actor("emea-ams proxy");
  auto* connection = events[1].mutable_connection();
  connection->set_type(drsim::trace::ConnectionEvent::TYPE_TLS_FAILED);
  connection->set_transport(drsim::trace::TRANSPORT_TLS);
  connection->set_peer("sbc1");
  connection->set_schannel_status(0x80090328);
  connection->set_schannel_error("SEC_E_CERT_EXPIRED");

  events[2].set_time_ns(10'012'000'000);
  events[2].set_actor("teams");
  events[2].set_call_id("7");
  events[2].mutable_call_ended()->set_final_sip_code(504);
  events[2].mutable_call_ended()->set_final_ms_code(569008);
  events[2].mutable_call_ended()->set_final_sip_phrase("Unable to deliver INVITE: Outbound TLS negotiation failed.");

  events[3].set_time_ns(12'000'000'000);
  events[3].set_actor("teams");
  events[3].set_call_id("8");
  events[3].mutable_call_ended()->set_final_sip_code(200);  // no Microsoft code at all

  events[4].set_time_ns(2'400'000'000'000);
  events[4].set_actor("alice desktop");
  auto* signal = events[4].mutable_client_signal_sent();
  signal->set_peer("call controller");
  signal->set_type(drsim::trace::ClientSignal::TYPE_CALL_ACCEPTED);

  auto& lookup = events.emplace_back();
  lookup.set_time_ns(2'400'000'000'001);
  lookup.set_actor("emea-ams proxy");
  lookup.mutable_dns_lookup()->set_name("sbc1.contoso.com");
  lookup.mutable_dns_lookup()->set_record_type(drsim::trace::DnsLookup::RECORD_TYPE_A);
  lookup.mutable_dns_lookup()->set_outcome(drsim::trace::DnsLookup::OUTCOME_ANSWERED);
  lookup.mutable_dns_lookup()->add_answers("203.0.113.10");
  lookup.mutable_dns_lookup()->add_answers("203.0.113.11");

  auto& fault = events.emplace_back();
  fault.set_time_ns(2'400'000'000'000);
  fault.set_actor("sbc1");
  fault.mutable_fault_injected()->set_kind("certificate_expired");
  fault.mutable_fault_injected()->set_target("sbc1");
  fault.mutable_fault_injected()->set_number(1);
  return events;
}

std::string write_trace(const std::filesystem::path& path, const std::vector<Event>& events) {
  auto writer = trace::EventTraceWriter::open(path);
  REQUIRE(writer.ok());
  for (const Event& event : events) writer->write(event);
  CHECK(writer->events_written() == events.size());
  const auto error = writer->finish();
  CHECK_FALSE(error.has_value());
  return trace_test::read_file(path);
}

}  // namespace

TEST_CASE("events.pb reads back record for record with SIP bytes and optional codes intact") {
  trace_test::TemporaryFolder folder;
  const std::vector<Event> written = sample_events();
  write_trace(folder / "events.pb", written);
  const auto read = trace::read_event_trace(folder / "events.pb");
  REQUIRE(read.ok());
  REQUIRE(read->size() == written.size());
  for (std::size_t i = 0; i < written.size(); ++i) CHECK(read->at(i).SerializeAsString() == written[i].SerializeAsString());
  CHECK(read->at(0).sip_sent().message() == kInvite + std::string("\0binary\xff", 8));
  CHECK(read->at(0).running_fingerprint() == 0x3f9a0c1d77e2b410);
  CHECK(read->at(1).connection().schannel_error() == "SEC_E_CERT_EXPIRED");
  CHECK(read->at(2).call_ended().has_final_ms_code());
  CHECK(read->at(2).call_ended().final_ms_code() == 569008);
  CHECK_FALSE(read->at(3).call_ended().has_final_ms_code());
  CHECK(read->at(4).kind_case() == Event::kClientSignalSent);
  CHECK(read->at(5).dns_lookup().answers(1) == "203.0.113.11");
  CHECK(read->at(6).fault_injected().kind() == "certificate_expired");
}

TEST_CASE("each record is its size as a varint followed by the record") {
  trace_test::TemporaryFolder folder;
  Event small;
  small.set_time_ns(1);
  small.set_actor("sbc1");
  Event large = sample_events()[0];  // the INVITE makes it longer than 127 bytes
  const std::string small_bytes = small.SerializeAsString();
  const std::string large_bytes = large.SerializeAsString();
  REQUIRE(small_bytes.size() < 128);
  REQUIRE(large_bytes.size() >= 128);
  REQUIRE(large_bytes.size() < 16384);
  const std::string file = write_trace(folder / "events.pb", {small, large});
  std::string expected;
  expected += static_cast<char>(small_bytes.size());
  expected += small_bytes;
  // Base-128 varint, least significant group first, high bit set on all but the last byte.
  expected += static_cast<char>(0x80 | (large_bytes.size() & 0x7f));
  expected += static_cast<char>(large_bytes.size() >> 7);
  expected += large_bytes;
  CHECK(file == expected);
}

TEST_CASE("a truncated events.pb names the damaged record") {
  trace_test::TemporaryFolder folder;
  const std::string file = write_trace(folder / "events.pb", sample_events());
  trace_test::write_file(folder / "cut.pb", file.substr(0, file.size() - 3));
  auto reader = trace::EventTraceReader::open(folder / "cut.pb");
  REQUIRE(reader.ok());
  int complete = 0;
  while (reader->next()) ++complete;
  CHECK(complete == 6);
  REQUIRE(reader->error().has_value());
  CHECK(*reader->error() == "record 7 is truncated or damaged");
  const auto whole = trace::read_event_trace(folder / "cut.pb");
  REQUIRE_FALSE(whole.ok());
  CHECK(whole.error().find("cut.pb: record 7 is truncated or damaged") != std::string::npos);
}

TEST_CASE("an empty trace reads as no events and a missing folder fails to open") {
  trace_test::TemporaryFolder folder;
  write_trace(folder / "empty.pb", {});
  const auto read = trace::read_event_trace(folder / "empty.pb");
  REQUIRE(read.ok());
  CHECK(read->empty());
  const auto writer = trace::EventTraceWriter::open(folder / "no-such-folder" / "events.pb");
  REQUIRE_FALSE(writer.ok());
  CHECK(writer.error().format().find("no-such-folder/events.pb: cannot create the file") != std::string::npos);
  CHECK_FALSE(trace::read_event_trace(folder / "absent.pb").ok());
}
