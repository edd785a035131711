// Faults end to end: every row of the spec's table of Microsoft 504 subcodes, reproduced by an
// experiment's [[fault]]s and read off a Teams user's outbound call in calls.csv, with the
// exact final_sip_phrase; then healing, and the SBC's datacenter failover.
//
// Microsoft keeps one pooled TLS connection per SBC (opened for its own OPTIONS at start).
// Faults that act at the next handshake (certificates, TLS garbage, DNS, refused or dropped
// connects) are preceded by sbc_tls_disconnected at 4 s: the first call after it finds the
// pooled connection lost (549002), and the call after that opens a new one and meets the fault.
//
// A network-level failure hands the call from amer to emea, which tries sbc1 again (facts §1.5).
// Every fault below is on sbc1's side, so emea meets it too and the caller hears emea's row.
#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sim/trace/event_trace_writer.hpp"
#include "sim/trace/events.pb.h"
#include "tests/sim/experiment/e2e_bed.hpp"

namespace {

using sim::Time;

std::string fault(const std::string& at, const std::string& kind, const std::string& target,
                  const std::string& extra = "") {
  return "[[fault]]\nat = \"" + at + "\"\nkind = \"" + kind + "\"\ntarget = \"" + target + "\"\n" + extra;
}

std::string outbound_call(const std::string& at) {
  return "[[call]]\nat = \"" + at + "\"\nfrom = \"+14255550100\"\nto = \"+12065550101\"\nhangup_after = \"5s\"\n";
}

const std::string kDisconnectFirst = fault("4s", "sbc_tls_disconnected", "sbc1");
const std::string kNoTraces = "[output]\npcap = false\nevents = false\n";

// Adds `lines` to sbc1's table in the bed's topology.
void add_to_sbc1(e2e::Bed& bed, const std::string& lines) {
  const std::string sbc1 = "fqdn = \"sbc1.contoso.com\"\n";
  const std::size_t at = bed.topology.find(sbc1);
  REQUIRE(at != std::string::npos);
  bed.topology.insert(at + sbc1.size(), lines);
}

// amer could not reach sbc1 and handed the call to emea, which set it up in `setup_delay`.
void check_set_up_through_emea(const trace::CallRecord& call, Time setup_delay) {
  CHECK(call.final_sip_code == 200);
  CHECK(call.datacenter == "emea");
  CHECK(call.failovers == 1);
  REQUIRE(call.setup_delay.has_value());
  CHECK(*call.setup_delay == setup_delay);
}
const std::string kTwoCalls = outbound_call("10s") + outbound_call("40s");

struct Row {
  std::string name;
  std::string faults;
  std::size_t call;  // 0-based: the call that shows the row
  std::uint32_t ms_code;
  std::string phrase;  // after "Unable to deliver INVITE: "
};

}  // namespace

TEST_CASE("each row of the 504 table comes out of its fault with the exact phrase") {
  const std::vector<Row> rows{
      {"sbc_tls_disconnected: the pooled connection is found down", kDisconnectFirst, 0, 549002,
       "TlsTransport is not connected, State=Disconnected"},
      {"sbc_invalid_sip on the pooled connection", fault("5s", "sbc_invalid_sip", "sbc1"), 0, 549002,
       "Invalid request/response"},
      {"sbc_malformed_sip on the pooled connection", fault("5s", "sbc_malformed_sip", "sbc1"), 0, 549018,
       "Invalid request/response"},
      {"firewall_drop: the new connection times out (Windows 21 s)",
       kDisconnectFirst + fault("5s", "firewall_drop", "sbc1"), 1, 569002,
       "A connection attempt failed because the connected party did not properly respond after a period of time, or "
       "established connection failed because connected host has failed to respond"},
      {"sbc_refuses: the new connection is reset", kDisconnectFirst + fault("5s", "sbc_refuses", "sbc1"), 1, 569002,
       "No connection could be made because the target machine actively refused it"},
      {"firewall_reject: the new connection is reset", kDisconnectFirst + fault("5s", "firewall_reject", "sbc1"), 1,
       569002, "No connection could be made because the target machine actively refused it"},
      {"certificate_bad_signature", kDisconnectFirst + fault("5s", "certificate_bad_signature", "sbc1"), 1, 569002,
       "Outbound TLS negotiation failed; HRESULT=0x80096004"},
      {"certificate_name_mismatch", kDisconnectFirst + fault("5s", "certificate_name_mismatch", "sbc1"), 1, 569002,
       "Outbound TLS negotiation failed; Wrong target principal name configured. HRESULT=0x80090322 CERT_E_WRONG_USAGE"},
      {"tls_context_expired on the pooled connection", fault("5s", "tls_context_expired", "sbc1"), 0, 569002,
       "TLS decryption failed; HRESULT=590615"},
      {"tls_illegal_message", kDisconnectFirst + fault("5s", "tls_illegal_message", "sbc1"), 1, 569003,
       "Outbound TLS negotiation failed; HRESULT=0x80090326"},
      {"certificate_expired", kDisconnectFirst + fault("5s", "certificate_expired", "sbc1"), 1, 569008,
       "Outbound TLS negotiation failed. Remote certificate expired; HRESULT=0x80090328 SEC_E_CERT_EXPIRED"},
      {"certificate_untrusted_root", kDisconnectFirst + fault("5s", "certificate_untrusted_root", "sbc1-cert"), 1,
       569009, "Outbound TLS negotiation failed; HRESULT=0x80090325 SEC_E_UNTRUSTED_ROOT"},
      {"dns_nxdomain", kDisconnectFirst + fault("5s", "dns_nxdomain", "sbc1.contoso.com"), 1, 569015,
       "No such host is known"},
      {"dns_no_address", kDisconnectFirst + fault("5s", "dns_no_address", "sbc1.contoso.com"), 1, 569016,
       "The requested name is valid, but no data of the requested type was found"},
      {"sbc_malformed_sip on a new connection", kDisconnectFirst + fault("5s", "sbc_malformed_sip", "sbc1"), 1, 569018,
       "Invalid request/response"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    e2e::Bed bed;
    const auto outcome = bed.run(row.faults + kTwoCalls + kNoTraces, "out", "2min");
    REQUIRE(outcome.calls.size() == 2);
    const trace::CallRecord& call = outcome.calls[row.call];
    CHECK(call.final_sip_code == 504);
    CHECK(call.final_ms_code == std::optional<std::uint32_t>(row.ms_code));
    CHECK(call.final_sip_phrase == "Unable to deliver INVITE: " + row.phrase);
    CHECK(call.datacenter == "emea");
    CHECK(call.failovers == 1);
  }
}

TEST_CASE("the ladder of a failed call says why it failed") {
  // A user's review: the arrow read only "CallFailed", and only calls.csv said 504 569008.
  e2e::Bed bed;
  const auto outcome = bed.run(kDisconnectFirst + fault("5s", "certificate_expired", "sbc1") + kTwoCalls +
                                   "[output]\npcap = false\nevents = false\nladders = [2]\n",
                               "out", "2min");
  REQUIRE(outcome.calls.size() == 2);
  REQUIRE(outcome.calls[1].final_ms_code == std::optional<std::uint32_t>(569008));
  std::ifstream in(outcome.output_dir / "ladder-2.svg");
  const std::string svg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(svg.find(">CallFailed 504 569008<") != std::string::npos);
}

TEST_CASE("an SBC whose Contact names another host gets the ACK rows of the 504 table") {
  // The SBC answers Microsoft's INVITE with a Contact on `contact_fqdn`; Microsoft sends the ACK
  // there (no Record-Route), over a new connection to that name, and the caller hears why it
  // could not (spec 504 table, "Unable to deliver ACK: ...").
  struct AckRow {
    std::string name;
    std::string dns;  // records added to the topology
    std::uint32_t ms_code;
    std::string phrase;
  };
  const std::vector<AckRow> rows{
      {"the Contact's name does not resolve", "", 569015, "No such host is known"},
      {"the Contact's name resolves to the SBC, whose certificate does not name it",
       "[[dns]]\nname = \"sbc1-old.contoso.com\"\ntype = \"A\"\nvalue = \"203.0.113.10\"\n", 569002,
       "Outbound TLS negotiation failed; Wrong target principal name configured. HRESULT=0x80090322 CERT_E_WRONG_USAGE"},
  };
  for (const AckRow& row : rows) {
    CAPTURE(row.name);
    e2e::Bed bed;
    add_to_sbc1(bed, "contact_fqdn = \"sbc1-old.contoso.com\"\n");
    bed.topology += row.dns;
    const auto outcome = bed.run(outbound_call("10s") + kNoTraces);
    REQUIRE(outcome.calls.size() == 1);
    const trace::CallRecord& call = outcome.calls[0];
    CHECK(call.final_sip_code == 504);
    CHECK(call.final_ms_code == std::optional<std::uint32_t>(row.ms_code));
    CHECK(call.final_sip_phrase == "Unable to deliver ACK: " + row.phrase);
  }
  // With `contact_fqdn` left out the SBC's Contact is its FQDN and the same call connects.
  e2e::Bed plain;
  const auto connected = plain.run(outbound_call("10s") + kNoTraces);
  REQUIRE(connected.calls.size() == 1);
  CHECK(connected.calls[0].final_sip_code == 200);
}

TEST_CASE("a trunk refused to one datacenter is retried from another, which connects") {
  // The SBC's firewall rejects amer only (an ACL that lacks one Microsoft address, facts §1.5).
  e2e::Bed bed;
  const auto outcome = bed.run(kDisconnectFirst + fault("5s", "firewall_reject", "sbc1", "peer = \"amer\"\n") + kTwoCalls);
  REQUIRE(outcome.calls.size() == 2);
  // Client to amer 50 ms; amer's SYN is reset (a round trip of 2 x 10 ms); amer hands the call to
  // emea over the backbone (10 + 40 ms through contoso-hq); emea connects (TCP 2 x 40, TLS
  // 4 x 40 ms), the INVITE reaches the carrier (40 + 2), which answers after 5 s, and the 200 and
  // the client's CallAccepted come back (2 + 40 + 50).
  check_set_up_through_emea(outcome.calls[1], Time::from_milliseconds(50 + 20 + 50 + 80 + 160 + 40 + 2 + 5000 + 2 + 40 + 50));
}

TEST_CASE("an SBC firewall rule in the topology that rejects one datacenter sends calls through the other") {
  // The same ACL as the firewall_reject fault with a peer, configured from the start: amer never
  // gets a connection to sbc1 (not even for its OPTIONS); a call placed through amer is refused,
  // handed to emea and set up over emea's pooled connection. By name or by address block alike.
  for (const std::string peer : {"amer", "52.114.132.0/24"}) {
    CAPTURE(peer);
    e2e::Bed bed;
    add_to_sbc1(bed, "firewall = [{ action = \"reject\", direction = \"inbound\", protocol = \"tcp\", peer = \"" + peer +
                         "\", ports = \"5061\" }]\n");
    const auto outcome = bed.run(outbound_call("10s") + kNoTraces);
    REQUIRE(outcome.calls.size() == 1);
    // Client to amer 50 ms; amer's SYN is reset (2 x 10 ms); the hand-over to emea (10 + 40 ms);
    // emea's INVITE on its pooled connection (40 ms) reaches the carrier (2 ms), which answers
    // after 5 s; the 200 and the client's CallAccepted come back (2 + 40 + 50 ms).
    check_set_up_through_emea(outcome.calls[0], Time::from_milliseconds(50 + 20 + 50 + 40 + 2 + 5000 + 2 + 40 + 50));
  }
}

// The bed with a third datacenter, apac, 60 ms from contoso-hq (so 70 ms from amer).
void add_apac(e2e::Bed& bed) {
  const auto insert_before = [&](const std::string& anchor, const std::string& text) {
    const std::size_t at = bed.topology.find(anchor);
    REQUIRE(at != std::string::npos);
    bed.topology.insert(at, text);
  };
  insert_before("\n[[link]]", "\n[[site]]\nname = \"ms-apac\"");
  insert_before("\n[[dns]]", "[[link]]\na = \"contoso-hq\"\nb = \"ms-apac\"\nlatency = \"60ms\"\n");
  insert_before("\n[[sbc]]", "[[datacenter]]\nname = \"apac\"\nsite = \"ms-apac\"\nip = \"52.114.7.24\"\n"
                             "fqdns = [\"sip3.pstnhub.microsoft.com\"]\n");
}

TEST_CASE("a trunk refused to one datacenter is handed to the next datacenter that is up") {
  // amer cannot reach sbc1 (the SBC's ACL rejects it) and emea is down: Microsoft's backbone
  // knows which datacenters run, so amer hands the call to apac, not to emea where it would die.
  e2e::Bed bed;
  add_apac(bed);
  add_to_sbc1(bed, "firewall = [{ action = \"reject\", direction = \"inbound\", protocol = \"tcp\", peer = \"amer\", "
                   "ports = \"5061\" }]\n");
  const auto outcome = bed.run(fault("5s", "datacenter_down", "emea") + outbound_call("10s") + "[output]\npcap = false\n");
  REQUIRE(outcome.calls.size() == 1);
  const trace::CallRecord& call = outcome.calls[0];
  CHECK(call.final_sip_code == 200);
  CHECK(call.datacenter == "apac");
  CHECK(call.failovers == 1);
  // Client to amer 50 ms; amer's SYN is reset (2 x 10 ms); the hand-over to apac (10 + 60 ms);
  // apac's INVITE on its pooled connection (60 ms) reaches the carrier (2 ms), which answers
  // after 5 s; the 200 and the client's CallAccepted come back (2 + 60 + 50 ms).
  REQUIRE(call.setup_delay.has_value());
  CHECK(*call.setup_delay == Time::from_milliseconds(50 + 20 + 70 + 60 + 2 + 5000 + 2 + 60 + 50));

  // The caller's hang-up still reaches amer, which passes it to apac (not to emea): apac ends
  // the call with a BYE to sbc1.
  auto events = trace::read_event_trace(outcome.output_dir / "events.pb");
  REQUIRE(events.ok());
  std::vector<std::string> backbone;  // "receiver type time_ms"
  bool apac_sent_bye = false;
  for (const auto& event : events.value()) {
    if (event.has_datacenter_message_received()) {
      backbone.push_back(event.actor() + " " + event.datacenter_message_received().type() + " " +
                         std::to_string(event.time_ns() / 1'000'000));
    }
    if (event.has_sip_sent() && event.actor() == "apac" && event.sip_sent().message().starts_with("BYE ")) apac_sent_bye = true;
  }
  const std::int64_t hang_up_ms = (call.end.nanoseconds() / 1'000'000);
  CHECK(hang_up_ms == 10'000 + 5314 + 5000);
  CHECK(backbone == std::vector<std::string>{"apac TrunkRetry " + std::to_string(10'000 + 50 + 20 + 70),
                                             "apac CallerLeft " + std::to_string(hang_up_ms + 50 + 70)});
  CHECK(apac_sent_bye);
}

TEST_CASE("a trunk refused to one datacenter while every other is down fails there, handed nowhere") {
  // No datacenter to hand over to: amer's own 504 row is the call's final answer, and the call
  // ends as soon as amer knows it (client 50 ms, the reset SYN 2 x 10 ms).
  e2e::Bed bed;
  add_to_sbc1(bed, "firewall = [{ action = \"reject\", direction = \"inbound\", protocol = \"tcp\", peer = \"amer\", "
                   "ports = \"5061\" }]\n");
  const auto outcome = bed.run(fault("5s", "datacenter_down", "emea") + outbound_call("10s") + kNoTraces);
  REQUIRE(outcome.calls.size() == 1);
  const trace::CallRecord& call = outcome.calls[0];
  CHECK(call.final_sip_code == 504);
  CHECK(call.datacenter == "amer");
  CHECK(call.failovers == 0);
  CHECK(call.final_ms_code == 569002u);
  CHECK(call.final_sip_phrase == "Unable to deliver INVITE: No connection could be made because the target machine actively refused it");
  CHECK(call.end == Time::from_milliseconds(10'000 + 50 + 20));
}

TEST_CASE("a carrier firewall rule on outbound UDP to the SBC fails the PSTN's calls at once") {
  // The carrier's own firewall rejects what it sends to sbc1's SIP port: its INVITE meets ICMP
  // port unreachable, a transport error (RFC 3261 §18.4) its transaction reports as a 503
  // (§8.1.3.1). The rule names the SBC by name, on the other side of the deployment.
  e2e::Bed bed;
  const std::string carrier1 = "name = \"carrier1\"\n";
  const std::size_t at = bed.topology.find(carrier1);
  REQUIRE(at != std::string::npos);
  bed.topology.insert(at + carrier1.size(),
                      "firewall = [{ action = \"reject\", direction = \"outbound\", protocol = \"udp\", peer = \"sbc1\" }]\n");
  const auto outcome = bed.run("[[call]]\nat = \"10s\"\nfrom = \"+12065550100\"\nto = \"+14255550100\"\n" + kNoTraces);
  REQUIRE(outcome.calls.size() == 1);
  CHECK(outcome.calls[0].final_sip_code == 503);
  CHECK(outcome.calls[0].answered_by.empty());
}

TEST_CASE("a connection lost after the SBC rang ends the call without trying again") {
  // The INVITE went out on amer's pooled connection at 10.05 s and sbc1 rang; its TLS context
  // expires while the far end's 200 is in flight (it leaves sbc1 at 15.064 s). facts §1.5: no
  // failover after a provisional other than 100, so no other datacenter and no other SBC.
  e2e::Bed bed;
  const auto outcome = bed.run(fault("15068ms", "tls_context_expired", "sbc1") + outbound_call("10s"));
  REQUIRE(outcome.calls.size() == 1);
  const trace::CallRecord& call = outcome.calls[0];
  CHECK(call.final_sip_code == 504);
  CHECK(call.final_ms_code == std::optional<std::uint32_t>(569002));
  CHECK(call.final_sip_phrase == "Unable to deliver INVITE: TLS decryption failed; HRESULT=590615");
  CHECK(!call.setup_delay.has_value());  // the carrier answered, but the caller never heard it
  CHECK(call.datacenter == "amer");
  CHECK(call.failovers == 0);
  CHECK(call.end == Time::from_milliseconds(15'068));
}

TEST_CASE("a trunk that times out from both datacenters fails when the second connect times out") {
  e2e::Bed bed;
  const auto outcome = bed.run(kDisconnectFirst + fault("5s", "firewall_drop", "sbc1") + kTwoCalls, "out", "2min");
  REQUIRE(outcome.calls.size() == 2);
  const trace::CallRecord& call = outcome.calls[1];
  CHECK(call.final_ms_code == std::optional<std::uint32_t>(569002));
  CHECK(call.datacenter == "emea");
  CHECK(call.failovers == 1);
  CHECK(!call.setup_delay.has_value());
  // The call reaches amer at 40.05 s; amer's SYNs go unanswered for 21 s (Windows: 3 + 6 + 12 s)
  // and it hands the call to emea at 61.10 s. emea's pool has been connecting to sbc1 since its
  // own OPTIONS at 60 s, so the retry waits on that connect, which times out at 81 s: Microsoft
  // ends the call then.
  CHECK(call.end == Time::from_seconds(81));
}

TEST_CASE("a fault with a duration heals and the next call succeeds over a new TLS connection") {
  e2e::Bed bed;
  const auto outcome = bed.run(kDisconnectFirst + fault("5s", "certificate_expired", "sbc1", "duration = \"30s\"\n") +
                               outbound_call("10s") + outbound_call("20s") + outbound_call("50s"));
  REQUIRE(outcome.calls.size() == 3);
  CHECK(outcome.calls[1].final_ms_code == std::optional<std::uint32_t>(569008));
  CHECK(outcome.calls[2].final_sip_code == 200);
  // The certificate was restored at 35 s: a new connection (TCP 20 ms, TLS 40 ms; the SBC's
  // address still cached) carries the INVITE, 60 ms more than over a pooled one (see the
  // outbound e2e test).
  CHECK(*outcome.calls[2].setup_delay == Time::from_milliseconds(50 + 20 + 40 + 10 + 2 + 5000 + 2 + 10 + 50));
}

TEST_CASE("a busy datacenter's 503 with Retry-After moves an inbound call to the next datacenter") {
  e2e::Bed bed;
  const auto outcome = bed.run(fault("5s", "datacenter_busy", "amer", "retry_after = \"60s\"\n") +
                               "[[call]]\nat = \"10s\"\nfrom = \"+12065550100\"\nto = \"+14255550100\"\nhangup_after = \"5s\"\n"
                               "[[call]]\nat = \"20s\"\nfrom = \"+12065550100\"\nto = \"+14255550100\"\nhangup_after = \"5s\"\n");
  REQUIRE(outcome.calls.size() == 2);
  CHECK(outcome.calls[0].final_sip_code == 200);
  CHECK(outcome.calls[0].datacenter == "emea");
  CHECK(outcome.calls[0].failovers == 1);
  // The SBC avoids amer for Retry-After: the next call goes straight to emea.
  CHECK(outcome.calls[1].datacenter == "emea");
  CHECK(outcome.calls[1].failovers == 0);
  // The 503 comes back from amer after 2 + 10 + 10 ms; emea is 40 ms away (over the SBC's
  // OPTIONS connection), then the mobile answers as in the inbound e2e test.
  CHECK(*outcome.calls[0].setup_delay ==
        Time::from_milliseconds(2 + 10 + 10 + 40 + 50 + 4000 + 50 + 40 + 2));
}

TEST_CASE("a datacenter that went down keeps an inbound call until Timer B, then the SBC moves it") {
  e2e::Bed bed;
  const auto outcome = bed.run(fault("5s", "datacenter_down", "amer") +
                               "[[call]]\nat = \"10s\"\nfrom = \"+12065550100\"\nto = \"+14255550100\"\nhangup_after = \"5s\"\n");
  REQUIRE(outcome.calls.size() == 1);
  const trace::CallRecord& call = outcome.calls[0];
  CHECK(call.final_sip_code == 200);
  CHECK(call.datacenter == "emea");
  CHECK(call.failovers == 1);
  // The INVITE reaches sbc1 at 2 ms and goes to amer, which the SBC still believes up; Timer B
  // (64 * T1 = 32 s, RFC 3261 §17.1.1.2) gives up on it and the call goes to emea, 40 ms away
  // over the SBC's OPTIONS connection; the mobile answers as in the inbound e2e test.
  REQUIRE(call.setup_delay.has_value());
  CHECK(*call.setup_delay == Time::from_milliseconds(2 + 32'000 + 40 + 50 + 4000 + 50 + 40 + 2));
}

TEST_CASE("what a down SBC sends never reaches the trace, though its timers still run") {
  // The mobile's 200 reaches sbc1 at 10 s + 2 + 10 + 50 + 4000 + 50 + 10 ms; sbc1 ACKs it toward
  // amer and relays it to the carrier at once, and goes down 1 ms later, before the carrier's
  // ACK (4 ms round trip) is back. Its UAS core then retransmits the 200 at T1, 2 T1, ...
  // (RFC 3261 §13.3.1.4) and sends BYE at 64 T1, but none of that leaves the host: events.pb
  // (and the pcap, through the same check) shows sbc1 sending only the ACK and the first 200.
  // What the carrier sends toward the down SBC (its ACK, later its BYE) was on the wire: it is.
  e2e::Bed bed;
  const std::int64_t answer_ms = 10'000 + 2 + 10 + 50 + 4000 + 50 + 10;
  const auto outcome = bed.run(fault(std::to_string(answer_ms + 1) + "ms", "sbc_down", "sbc1") +
                               "[[call]]\nat = \"10s\"\nfrom = \"+12065550100\"\nto = \"+14255550100\"\n"
                               "[output]\npcap = false\n");
  auto events = trace::read_event_trace(outcome.output_dir / "events.pb");
  REQUIRE(events.ok());
  std::vector<std::string> sent_by_sbc1;  // "first word of the message, time in ms"
  bool carrier_acked = false;
  for (const auto& event : events.value()) {
    if (!event.has_sip_sent() || event.time_ns() < answer_ms * 1'000'000) continue;
    const std::string& text = event.sip_sent().message();
    if (event.actor() == "sbc1")
      sent_by_sbc1.push_back(text.substr(0, text.find(' ')) + " " + std::to_string(event.time_ns() / 1'000'000));
    if (event.actor() == "carrier1" && text.starts_with("ACK ")) carrier_acked = event.time_ns() == (answer_ms + 2) * 1'000'000;
  }
  CHECK(sent_by_sbc1 == std::vector<std::string>{"ACK " + std::to_string(answer_ms), "SIP/2.0 " + std::to_string(answer_ms)});
  CHECK(carrier_acked);
}
