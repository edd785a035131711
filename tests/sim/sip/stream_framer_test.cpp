#include <doctest/doctest.h>

#include <string>

#include "sim/sip/stream_framer.hpp"

namespace {

std::string options(int cseq) {
  const std::string body = cseq % 2 == 0 ? "" : "hello";
  return "OPTIONS sip:sip.pstnhub.microsoft.com:5061 SIP/2.0\r\n"
         "Via: SIP/2.0/TLS sbc1.contoso.com:5061;branch=z9hG4bK" + std::to_string(cseq) + "\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:sbc1.contoso.com>;tag=1\r\n"
         "To: <sip:sip.pstnhub.microsoft.com>\r\n"
         "Call-ID: c" + std::to_string(cseq) + "\r\n"
         "CSeq: " + std::to_string(cseq) + " OPTIONS\r\n"
         "Contact: <sip:sbc1.contoso.com:5061;transport=tls>\r\n"
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("a message arriving one byte at a time comes out once when complete") {
  sip::StreamFramer framer;
  const std::string bytes = options(1);
  int complete = 0;
  for (char c : bytes) {
    framer.append(std::string_view(&c, 1));
    while (auto next = framer.next()) {
      REQUIRE(next->ok());
      CHECK(next->value().body() == "hello");
      ++complete;
    }
  }
  CHECK(complete == 1);
  CHECK(framer.buffered_bytes() == 0);
}

TEST_CASE("pipelined messages with CRLF keep-alives between them are split by Content-Length") {
  sip::StreamFramer framer;
  framer.append("\r\n\r\n" + options(1) + "\r\n" + options(2) + "\r\n\r\n" + options(3));
  std::vector<std::uint32_t> seen;
  while (auto next = framer.next()) {
    REQUIRE(next->ok());
    seen.push_back(next->value().cseq().number);
  }
  CHECK(seen == std::vector<std::uint32_t>{1, 2, 3});
  CHECK(!framer.failed());
}

TEST_CASE("a stream message without Content-Length breaks the connection (RFC 3261 §18.3)") {
  sip::StreamFramer framer;
  std::string bytes = options(2);
  bytes.erase(bytes.find("Content-Length: 0\r\n"), 19);
  framer.append(bytes);
  auto next = framer.next();
  REQUIRE(next.has_value());
  REQUIRE(!next->ok());
  CHECK(next->error().reason.find("Content-Length") != std::string::npos);
  CHECK(framer.failed());
  CHECK(!framer.next().has_value());
}

TEST_CASE("a datagram without Content-Length takes the rest as body a stream does not") {
  std::string bytes = options(2);
  bytes.erase(bytes.find("Content-Length: 0\r\n"), 19);
  bytes += "body";
  auto datagram = sip::parse_message(bytes, sip::Framing::Datagram);
  REQUIRE(datagram.ok());
  CHECK(datagram->body() == "body");
  CHECK(!sip::parse_message(bytes, sip::Framing::Stream).ok());
}

TEST_CASE("a malformed but well-framed message does not kill the stream") {
  sip::StreamFramer framer;
  std::string bad = options(2);
  bad.replace(bad.find("CSeq: 2"), 7, "CSeq: x");
  framer.append(bad + options(4));
  auto first = framer.next();
  REQUIRE(first.has_value());
  CHECK(!first->ok());
  auto second = framer.next();
  REQUIRE(second.has_value());
  REQUIRE(second->ok());
  CHECK(second->value().cseq().number == 4);
}
