#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "sim/sip/serializer.hpp"
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

// Regressions found by tests/fuzz (sip_message_fuzzer feeds every input whole and in chunks and
// requires the same outcome).

TEST_CASE("a keep-alive counts as buffered bytes however the stream was chunked") {
  // A CRLF that arrived alone was consumed at once; one that arrived with the next message's
  // first bytes stayed buffered.
  sip::StreamFramer together;
  together.append(options(1) + "\r\nOPT");
  sip::StreamFramer apart;
  apart.append(options(1) + "\r\n");
  for (sip::StreamFramer* framer : {&together, &apart}) {
    auto first = framer->next();
    REQUIRE(first.has_value());
    CHECK(first->ok());
    CHECK(!framer->next().has_value());
  }
  apart.append("OPT");
  CHECK(!apart.next().has_value());
  CHECK(together.buffered_bytes() == 3);
  CHECK(apart.buffered_bytes() == 3);
}

TEST_CASE("a framing error is placed from the message start however the stream was chunked") {
  const std::string first = options(1) + "\r\n\r\n";
  const std::string broken = "OPTIONS sip:sip.pstnhub.microsoft.com SIP/2.0\r\nContent-Length: x\r\n\r\n";
  sip::StreamFramer together;
  together.append(first + broken);
  sip::StreamFramer apart;
  apart.append(first);
  REQUIRE(apart.next().has_value());
  CHECK(!apart.next().has_value());
  apart.append(broken);
  REQUIRE(together.next().has_value());
  for (sip::StreamFramer* framer : {&together, &apart}) {
    auto error = framer->next();
    REQUIRE(error.has_value());
    REQUIRE(!error->ok());
    CHECK(error->error().reason == "invalid Content-Length on a stream");
    CHECK(error->error().offset == 47);
    CHECK(error->error().line == 2);
    CHECK(error->error().column == 1);
    CHECK(framer->last_message_offset() == first.size());
  }
}

TEST_CASE("the framer ends the headers where the parser does for LF line ends") {
  // The framer looked for CRLF CRLF only; a message with bare LF line ends (which the parser
  // accepts) was framed together with the next one, or refused for two Content-Lengths.
  const std::string lf_only =
      "OPTIONS sip:sbc1.contoso.com SIP/2.0\n"
      "Via: SIP/2.0/TCP 192.0.2.7;branch=z9hG4bKlf\n"
      "From: <sip:probe@192.0.2.7>;tag=1\n"
      "To: <sip:sbc1.contoso.com>\n"
      "Call-ID: lf\n"
      "CSeq: 7 OPTIONS\n"
      "Content-Length: 2\n"
      "\n"
      "ok";
  sip::StreamFramer framer;
  framer.append(lf_only + options(2));
  std::vector<std::uint32_t> seen;
  while (auto next = framer.next()) {
    REQUIRE(next->ok());
    seen.push_back(next->value().cseq().number);
    if (seen.size() == 1) CHECK(next->value().body() == "ok");
  }
  CHECK(seen == std::vector<std::uint32_t>{7, 2});
  CHECK(framer.last_message_offset() == lf_only.size());
}

TEST_CASE("a folded Content-Length frames the body the parser reads") {
  std::string folded = options(1);
  folded.replace(folded.find("Content-Length: 5"), 17, "Content-Length:\r\n 5");
  const sip::FrameScan scan = sip::scan_frame(folded);
  REQUIRE(scan.status == sip::FrameStatus::Complete);
  CHECK(scan.length == folded.size());
  auto parsed = sip::parse_message(folded, sip::Framing::Stream);
  REQUIRE(parsed.ok());
  CHECK(parsed->body() == "hello");
}

TEST_CASE("the 64 KiB header limit holds whether the header end arrives at once or later") {
  // A long header section was refused when it arrived in pieces but framed when it arrived whole.
  std::string padded = options(2);
  const std::string padding(sip::StreamFramer::kMaxHeaderBytes, 'a');
  padded.insert(padded.find("Content-Length"), "X-Padding: " + padding + "\r\n");
  sip::StreamFramer whole;
  whole.append(padded);
  sip::StreamFramer pieces;
  for (std::size_t at = 0; at < padded.size() && !pieces.failed(); at += 1000) {
    pieces.append(std::string_view(padded).substr(at, 1000));
    static_cast<void>(pieces.next());
  }
  auto refused = whole.next();
  REQUIRE(refused.has_value());
  REQUIRE(!refused->ok());
  CHECK(refused->error().reason == "header section longer than 64 KiB");
  CHECK(whole.failed());
  CHECK(pieces.failed());
}

TEST_CASE("Content-Length is found in every spelling however many fields look like it") {
  // The framer looks only at lines that may be a Content-Length; these check that it still finds
  // every one, compact and in any case, and falls back to every field when many lines qualify.
  const auto with_length_fields = [](const std::string& fields) {
    std::string bytes = options(1);
    bytes.erase(bytes.find("Content-Length: 5\r\n"), 19);
    bytes.insert(bytes.find("\r\n\r\n") + 2, fields);
    return bytes;
  };
  for (const std::string& fields :
       {std::string("l: 5\r\n"), std::string("L :5\r\n"), std::string("CONTENT-LENGTH: 5\r\n"),
        std::string("content-length:\t5\r\n"), std::string("Content-Type: text/plain\r\nContent-Length: 5\r\n"),
        std::string("Content-Length: 5\r\nl: 5\r\nContent-Length: 5\r\nl: 5\r\nContent-Length: 5\r\nl: 5\r\n")}) {
    const std::string bytes = with_length_fields(fields);
    const sip::FrameScan scan = sip::scan_frame(bytes);
    INFO(fields);
    REQUIRE(scan.status == sip::FrameStatus::Complete);
    CHECK(scan.length == bytes.size());
  }
  for (const std::string& fields :
       {std::string("Content-Length: 5\r\nl: 4\r\n"),
        std::string("l: 5\r\nl: 5\r\nl: 5\r\nl: 5\r\nl: 5\r\nContent-Length: 4\r\n"),
        std::string("Content-Length: five\r\n")}) {
    const std::string bytes = with_length_fields(fields);
    const sip::FrameScan scan = sip::scan_frame(bytes);
    INFO(fields);
    CHECK(scan.status == sip::FrameStatus::Error);
  }
  // Names that only start like it frame nothing.
  const std::string lookalikes = with_length_fields("Content-Lengthy: 5\r\nlx: 5\r\n");
  CHECK(sip::scan_frame(lookalikes).status == sip::FrameStatus::Error);
}

TEST_CASE("a message framed by parsing what is pending equals the parse of its own bytes") {
  // next() parses what is pending (up to its parse window) and lets the parser drop what
  // follows the body; each message must equal the parse of exactly the bytes scan_frame
  // frames, at the same offset.
  std::string folded = options(3);
  folded.replace(folded.find("Content-Length: 5"), 17, "l:\r\n 5");
  std::string with_body = options(5);
  with_body.replace(with_body.find("Content-Length: 5\r\n\r\nhello"), 26, "Content-Length: 2\r\n\r\nhello");
  const std::vector<std::string> stream = {"\r\n\r\n", options(1), options(2), "\r\n", folded, with_body};
  std::string bytes;
  for (const std::string& piece : stream) bytes += piece;
  sip::StreamFramer framer;
  framer.append(bytes);
  std::size_t checked = 0;
  while (auto next = framer.next()) {
    REQUIRE(next->ok());
    const std::string_view rest = std::string_view(bytes).substr(framer.last_message_offset());
    const sip::FrameScan scan = sip::scan_frame(rest);
    REQUIRE(scan.status == sip::FrameStatus::Complete);
    CHECK(scan.skip == 0);
    auto exact = sip::parse_message(rest.substr(0, scan.length), sip::Framing::Stream);
    REQUIRE(exact.ok());
    CHECK(next->value() == exact.value());
    CHECK(sip::serialize(next->value()) == sip::serialize(exact.value()));
    CHECK(next->value().buffer_size() == exact.value().buffer_size());
    CHECK(next->value().body() == exact.value().body());
    ++checked;
  }
  CHECK(checked == 4);
  // The last message's body is "he"; "llo" stays buffered as the start of whatever follows.
  CHECK(framer.buffered_bytes() == 3);
}

TEST_CASE("a pipelined backlog is framed in time linear in its size") {
  // 100,000 messages (about 50 MB) in one delivery. Parsing everything pending for each
  // message copied the rest every time, about 2.5 TB here (minutes); the parse window bounds
  // each copy, so the whole backlog takes well under a second (a few under the sanitizers).
  constexpr int kMessages = 100'000;
  std::string bytes;
  std::vector<std::size_t> offsets;
  for (int cseq = 1; cseq <= kMessages; ++cseq) {
    offsets.push_back(bytes.size());
    bytes += options(cseq);
  }
  sip::StreamFramer framer;
  framer.append(bytes);
  const auto start = std::chrono::steady_clock::now();
  int framed = 0;
  int misplaced = 0;
  while (auto next = framer.next()) {
    REQUIRE(next->ok());
    REQUIRE(next->value().cseq().number == static_cast<std::uint32_t>(framed + 1));
    if (framer.last_message_offset() != offsets[static_cast<std::size_t>(framed)]) ++misplaced;
    ++framed;
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(framed == kMessages);
  CHECK(misplaced == 0);
  CHECK(framer.buffered_bytes() == 0);
  CHECK(elapsed < std::chrono::seconds(30));
}

TEST_CASE("a message longer than the parse window is framed by its Content-Length") {
  // A body past kParseWindowBytes cannot be parsed inside the window: scan_frame frames it and
  // the message comes out whole, followed by the next one.
  const std::string body(sip::StreamFramer::kParseWindowBytes + 100, 'x');
  std::string big = options(2);
  big.replace(big.find("Content-Length: 0\r\n\r\n"), 21, "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  sip::StreamFramer framer;
  framer.append(big + options(3));
  auto first = framer.next();
  REQUIRE(first);
  REQUIRE(first->ok());
  CHECK(first->value().body() == body);
  auto second = framer.next();
  REQUIRE(second);
  REQUIRE(second->ok());
  CHECK(second->value().cseq().number == 3);
  CHECK(framer.last_message_offset() == big.size());
  CHECK_FALSE(framer.next());
}
