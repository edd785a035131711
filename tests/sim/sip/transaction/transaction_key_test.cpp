#include "sim/sip/transaction/transaction_key.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>

#include "sim/sip/transaction/client_invite_transaction.hpp"
#include "tests/sim/sip/transaction/transaction_harness.hpp"

using namespace transaction_harness;

namespace {

// The same INVITE as another request: method, CSeq method and branch replaced.
sip::Message request_like_invite(std::string_view method, std::string_view branch) {
  const std::string text =
      std::string(method) + " sip:+18338006777@sip.pstnhub.microsoft.com SIP/2.0\r\n"
      "Via: SIP/2.0/TLS sbc1.contoso.com:5061;branch=" + std::string(branch) + "\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:+17168712781@sbc1.contoso.com;user=phone>;tag=9fxced76sl\r\n"
      "To: <sip:+18338006777@sip.pstnhub.microsoft.com;user=phone>\r\n"
      "Call-ID: 3848276298220188511@sbc1.contoso.com\r\n"
      "CSeq: 1 " + std::string(method) + "\r\n"
      "Content-Length: 0\r\n"
      "\r\n";
  return parse(text);
}

}  // namespace

TEST_CASE("a response matches its client transaction by top Via branch and CSeq method") {
  const sip::Message request = invite("TLS", "z9hG4bK74bf9");
  const auto key = sip::client_key_of_request(request);
  REQUIRE(key);
  CHECK(sip::describe(*key) == "client z9hG4bK74bf9 INVITE");
  CHECK(sip::client_key_of_response(sip::make_response(request, 180, "", "a")) == key);
  CHECK(sip::client_key_of_response(sip::make_response(request, 486, "", "a")) == key);

  const sip::Message other_branch = invite("TLS", "z9hG4bK74bfa");
  CHECK(sip::client_key_of_response(sip::make_response(other_branch, 180, "", "a")) != key);
  // The 200 for a CANCEL carries the INVITE's branch but the CSeq method CANCEL (§17.1.3).
  const sip::Message cancel = request_like_invite("CANCEL", "z9hG4bK74bf9");
  const auto cancel_response_key = sip::client_key_of_response(sip::make_response(cancel, 200, ""));
  REQUIRE(cancel_response_key);
  CHECK(cancel_response_key != key);
  CHECK(cancel_response_key == sip::client_key_of_request(cancel));
}

TEST_CASE("an ACK for a non-2xx matches the INVITE server transaction and a CANCEL does not") {
  const sip::Message request = invite("TLS");
  const auto key = sip::server_key_of_request(request);
  REQUIRE(key);
  CHECK(sip::describe(*key) == "server z9hG4bK74bf9 sbc1.contoso.com:5061 INVITE");
  CHECK(sip::server_key_of_request(request) == key);  // a retransmission

  const sip::Message ack = sip::make_ack_for_non_2xx(request, sip::make_response(request, 486, "", "b"));
  CHECK(sip::server_key_of_request(ack) == key);

  // An ACK for a 2xx is a new transaction with its own branch (§13.2.2.4): no match.
  CHECK(sip::server_key_of_request(request_like_invite("ACK", "z9hG4bKack2xx")) != key);

  const sip::Message cancel = request_like_invite("CANCEL", "z9hG4bK74bf9");
  const auto cancel_key = sip::server_key_of_request(cancel);
  REQUIRE(cancel_key);
  CHECK(cancel_key != key);
  CHECK(cancel_key->method == "CANCEL");
  // §9.2: the CANCEL still finds the INVITE it cancels.
  CHECK(sip::invite_key_of_cancel(cancel) == key);
}

TEST_CASE("server matching compares sent-by with the host case-insensitively") {
  const auto key = sip::server_key_of_request(invite("TLS"));
  const sip::Message upper = parse(
      "INVITE sip:+18338006777@sip.pstnhub.microsoft.com SIP/2.0\r\n"
      "Via: SIP/2.0/TLS SBC1.Contoso.COM:5061;branch=z9hG4bK74bf9\r\n"
      "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
  CHECK(sip::server_key_of_request(upper) == key);
  const sip::Message other_host = parse(
      "INVITE sip:+18338006777@sip.pstnhub.microsoft.com SIP/2.0\r\n"
      "Via: SIP/2.0/TLS sbc2.contoso.com:5061;branch=z9hG4bK74bf9\r\n"
      "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
  CHECK(sip::server_key_of_request(other_host) != key);
  const sip::Message ipv6 = parse(
      "OPTIONS sip:x@y SIP/2.0\r\n"
      "Via: SIP/2.0/UDP [2001:DB8::9]:5060;branch=z9hG4bK6\r\n"
      "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
  CHECK(sip::server_key_of_request(ipv6)->sent_by == "[2001:db8::9]:5060");
  const sip::Message no_port = parse(
      "OPTIONS sip:x@y SIP/2.0\r\n"
      "Via: SIP/2.0/UDP SBC1.Example.COM;branch=z9hG4bK7\r\n"
      "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
  CHECK(sip::server_key_of_request(no_port)->sent_by == "sbc1.example.com");
  const sip::Message ipv4 = parse(
      "OPTIONS sip:x@y SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.7:65535;branch=z9hG4bK8\r\n"
      "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
  CHECK(sip::server_key_of_request(ipv4)->sent_by == "192.0.2.7:65535");
  // A sent-by longer than a key holds inline (sim::LookupKey) is built on the heap, same rules.
  const sip::Message long_host = parse(
      "OPTIONS sip:x@y SIP/2.0\r\n"
      "Via: SIP/2.0/TLS Edge-Proxy-Number-0042.Voice.Region-West.Contoso-Example.COM:5061;branch=z9hG4bK9\r\n"
      "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
  const std::string expected = "edge-proxy-number-0042.voice.region-west.contoso-example.com:5061";
  REQUIRE(expected.size() > sim::LookupKey::kInlineCapacity);
  CHECK(sip::server_key_of_request(long_host)->sent_by == expected);
}

TEST_CASE("a request whose branch lacks the magic cookie gets no server key") {
  CHECK_FALSE(sip::server_key_of_request(invite("UDP", "1234abcd")));
  CHECK_FALSE(sip::server_key_of_request(invite("UDP", "Z9HG4BK1")));  // the cookie is case-sensitive
}

TEST_CASE("client and server keys of one request differ") {
  const sip::Message request = invite("TLS");
  CHECK(sip::client_key_of_request(request) != sip::server_key_of_request(request));
}

TEST_CASE("branches carry the magic cookie and differ by sender and counter") {
  CHECK(sip::make_branch(0x3f9a0c1d, 42) == "z9hG4bK3f9a0c1d.42");
  CHECK(sip::make_branch(0x2a, 0) == "z9hG4bK0000002a.0");
  CHECK(sip::branch_sender_id("sbc1.contoso.com") == sip::branch_sender_id("sbc1.contoso.com"));
  CHECK(sip::branch_sender_id("sbc1.contoso.com") != sip::branch_sender_id("sbc2.contoso.com"));
  // A generated branch is one the server side accepts as RFC 3261.
  const std::string branch = sip::make_branch(sip::branch_sender_id("sbc1.contoso.com"), 7);
  CHECK(sip::server_key_of_request(invite("TLS", branch)));
}

TEST_CASE("make_branch writes what snprintf %08x and std::to_string write") {
  // The hand-written formatting against the library's, over the edges and a fixed sequence.
  const auto reference = [](std::uint32_t sender_id, std::uint64_t counter) {
    char sender[9];
    std::snprintf(sender, sizeof sender, "%08x", static_cast<unsigned>(sender_id));
    return std::string(sip::kMagicCookie) + sender + '.' + std::to_string(counter);
  };
  for (const auto& [sender_id, counter] : {std::pair<std::uint32_t, std::uint64_t>{0, 0}, {0xFFFFFFFFu, ~0ULL},
                                           {0x80000000u, 10}, {0xABCDEF01u, 9999999999ULL}}) {
    CHECK(sip::make_branch(sender_id, counter) == reference(sender_id, counter));
  }
  std::uint64_t state = 0x853C49E6748FEA9BULL;
  for (int round = 0; round < 10000; ++round) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const auto sender_id = static_cast<std::uint32_t>(state >> 32);
    const std::uint64_t counter = state >> (state & 63);
    CHECK(sip::make_branch(sender_id, counter) == reference(sender_id, counter));
  }
}
