// libFuzzer target for the SIP codec. Whatever bytes arrive, nothing crashes or trips a
// sanitizer, and these hold:
//  - a parsed message survives serialize -> parse unchanged, and serializing is then stable;
//  - a message that parses with stream framing parses the same as a datagram, and scan_frame
//    cuts exactly that message out of the bytes;
//  - an SDP body that parses survives serialize_sdp -> parse_sdp unchanged, also once shrunk;
//  - the edits a proxy or UAS makes (push a Via, add a To tag, make_response) do what they say
//    and give bytes that parse;
//  - StreamFramer hands out the same messages and errors however the stream is chunked, and the
//    Direct Routing lint finds them at the same offsets.
// A broken invariant prints what broke and traps, so libFuzzer keeps the input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "models/teams/direct_routing_rules.hpp"
#include "sim/sip/message_validation.hpp"
#include "sim/sip/parser.hpp"
#include "sim/sip/sdp.hpp"
#include "sim/sip/serializer.hpp"
#include "sim/sip/stream_framer.hpp"

namespace {

[[noreturn]] void invariant_broken(const char* what, std::string_view detail) {
  std::fprintf(stderr, "sip_message_fuzzer: %s\n%.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  __builtin_trap();
}

void require(bool condition, const char* what, std::string_view detail = {}) {
  if (!condition) invariant_broken(what, detail);
}

// Runs every parse-on-access reader; only the sanitizers judge the results.
void read_typed_headers(const sip::Message& message) {
  for (sip::HeaderId id : {sip::HeaderId::Route, sip::HeaderId::RecordRoute,
                           sip::HeaderId::PAssertedIdentity, sip::HeaderId::HistoryInfo}) {
    if (auto list = message.name_addr_list(id); list.ok()) {
      for (const sip::NameAddr& entry : list.value()) {
        static_cast<void>(entry.display_name());
        static_cast<void>(entry.uri().user_unescaped());
        static_cast<void>(entry.param("lr"));
      }
    }
  }
  static_cast<void>(message.allow());
  static_cast<void>(message.supported());
  static_cast<void>(message.require());
  static_cast<void>(message.content_type());
  static_cast<void>(message.session_expires().ok());
  static_cast<void>(message.min_se().ok());
  static_cast<void>(message.refer_to().ok());
  static_cast<void>(message.referred_by().ok());
  static_cast<void>(message.replaces().ok());
  static_cast<void>(message.retry_after().ok());
  static_cast<void>(message.reasons().ok());
  for (std::size_t i = 0; i < message.via_count(); ++i) {
    static_cast<void>(message.via(i).param("branch"));
  }
  for (std::size_t i = 0; i < message.contact_count(); ++i) {
    static_cast<void>(message.contact(i).display_name());
    static_cast<void>(message.contact(i).uri().header("Replaces"));
  }
  if (message.is_request()) static_cast<void>(message.request_uri().param("user"));
}

void check_round_trip(const sip::Message& message, sip::Framing framing) {
  const std::string first = sip::serialize(message);
  auto reparsed = sip::parse_message(first, framing);
  if (!reparsed.ok()) {
    invariant_broken("serialized message does not parse",
                     sip::format_parse_error(reparsed.error()) + "\n" + first);
  }
  require(reparsed.value() == message, "parse(serialize(m)) differs from m", first);
  require(sip::serialize(reparsed.value()) == first, "serialize(parse(serialize(m))) differs", first);
}

void check_sdp(std::string_view body) {
  auto sdp = sip::parse_sdp(body);
  if (!sdp.ok()) return;
  const std::string text = sip::serialize_sdp(sdp.value());
  auto reparsed = sip::parse_sdp(text);
  if (!reparsed.ok()) {
    invariant_broken("serialized SDP does not parse", reparsed.error().reason + "\n" + text);
  }
  require(reparsed.value() == sdp.value(), "parse_sdp(serialize_sdp(s)) differs from s", text);
  require(sip::serialize_sdp(reparsed.value()) == text, "serialize_sdp is not stable", text);

  sip::SessionDescription& session = sdp.value();
  static_cast<void>(session.origin());
  static_cast<void>(session.session_name());
  for (std::size_t i = 0; i < session.media.size(); ++i) {
    const sip::MediaDescription& media = session.media[i];
    static_cast<void>(session.effective_direction(i));
    static_cast<void>(media.connection());
    static_cast<void>(media.ice_ufrag());
    static_cast<void>(media.candidates().ok());
    for (const sip::SdpRtpMap& map : media.rtpmaps()) {
      static_cast<void>(media.fmtp(map.payload_type));
    }
  }
  // What the SBC sends after shrinking an offer to fit the MTU must still be SDP.
  sip::strip_ice_candidates(session);
  const std::string_view codecs[] = {"PCMU", "telephone-event"};
  sip::keep_only_codec_names(session, codecs);
  const std::string shrunk = sip::serialize_sdp(session);
  auto shrunk_parsed = sip::parse_sdp(shrunk);
  require(shrunk_parsed.ok() && shrunk_parsed.value() == session, "a shrunk SDP does not parse back",
          shrunk);
}

// A UAS answers whatever request it parsed; building the answer must not abort and its bytes
// must parse (§8.2.6.2).
void check_response(const sip::Message& request) {
  for (int code : {100, 180, 200}) {
    const sip::Message response = sip::make_response(request, code, "", "fuzz-tag");
    check_round_trip(response, sip::Framing::Stream);
  }
}

// A proxy or UAS edits what it received (§16.6 pushes a Via, §8.2.6.2 adds a To tag): the
// edits must do what they say on any message that parsed, and the result must still parse.
void check_edits(const sip::Message& received) {
  const std::string original = sip::serialize(received);
  sip::Message message = received;
  message.prepend_header("Via", "SIP/2.0/TLS proxy.example.com:5061;branch=z9hG4bKfuzz");
  require(message.via_count() == received.via_count() + 1 && message.top_via().host() == "proxy.example.com",
          "prepend_header did not push a Via", original);
  message.remove_first_header("Via");
  require(sip::serialize(message) == original, "pushing then popping a Via changed the message", original);
  if (message.has_to()) {
    message.set_to_tag("fuzz-tag");
    require(message.to().has_tag() && message.to().tag() == "fuzz-tag", "set_to_tag did not set the To tag",
            original);
  }
  message.set_header("Max-Forwards", "69");
  require(message.max_forwards() == 69, "set_header did not replace Max-Forwards", original);
  message.set_body("application/sdp", "v=0\r\n");
  require(message.body() == "v=0\r\n", "set_body did not set the body", original);
  check_round_trip(message, sip::Framing::Stream);
}

// What the parser accepts as one stream message the framer must cut out whole: both agree on
// where the header section ends and how long the body is, or a TCP stream falls out of step.
void check_framing_agrees(std::string_view bytes, const sip::Message& message) {
  const sip::FrameScan scan = sip::scan_frame(bytes);
  require(scan.status == sip::FrameStatus::Complete,
          "the framer does not frame a message the stream parser accepts", scan.error.reason);
  auto framed = sip::parse_message(bytes.substr(scan.skip, scan.length), sip::Framing::Stream);
  require(framed.ok() && framed.value() == message,
          "the framer cuts a stream message where the parser does not");
}

void check_message(std::string_view bytes) {
  auto datagram = sip::parse_message(bytes, sip::Framing::Datagram);
  auto stream = sip::parse_message(bytes, sip::Framing::Stream);
  if (!datagram.ok()) {
    static_cast<void>(sip::format_parse_error(datagram.error()));
    require(!stream.ok(), "parses as a stream message but not as a datagram");
    return;
  }
  const sip::Message& message = datagram.value();
  if (stream.ok()) {
    require(stream.value() == message, "stream and datagram parses differ");
    check_framing_agrees(bytes, stream.value());
  }
  check_round_trip(message, sip::Framing::Datagram);
  check_round_trip(message, sip::Framing::Stream);
  read_typed_headers(message);
  static_cast<void>(sip::validate_message(message));
  static_cast<void>(teams::check_direct_routing_rules(message));
  if (!message.body().empty()) check_sdp(message.body());
  check_edits(message);
  if (message.is_request()) check_response(message);
}

// What a connection sees: one entry per message or error the framer hands out, in order.
struct FramedOutcome {
  std::size_t offset = 0;        // where the message starts in the stream
  bool ok = false;
  bool broke_stream = false;     // a framing error: nothing after it is read
  std::size_t error_offset = 0;  // counted from the message start
  std::string text;              // the message serialized, or the error formatted
  friend bool operator==(const FramedOutcome&, const FramedOutcome&) = default;
};

struct FramedStream {
  std::vector<FramedOutcome> outcomes;
  std::string end_state;
  friend bool operator==(const FramedStream&, const FramedStream&) = default;
};

std::string describe(const FramedStream& stream) {
  std::string out;
  for (const FramedOutcome& outcome : stream.outcomes) {
    out += std::to_string(outcome.offset);
    out += outcome.ok ? " message " : " error at +" + std::to_string(outcome.error_offset) + " ";
    out += outcome.text + "\n";
  }
  return out + stream.end_state + "\n";
}

void drain(sip::StreamFramer& framer, FramedStream& stream) {
  while (auto next = framer.next()) {
    FramedOutcome outcome;
    outcome.offset = framer.last_message_offset();
    outcome.ok = next->ok();
    outcome.broke_stream = framer.failed();
    if (outcome.ok) {
      outcome.text = sip::serialize(next->value());
    } else {
      outcome.error_offset = next->error().offset;
      outcome.text = sip::format_parse_error(next->error());
    }
    stream.outcomes.push_back(std::move(outcome));
  }
}

// Chunk sizes come from the input itself, so a crash reproduces from the saved input alone.
FramedStream frame_in_chunks(std::string_view bytes, bool chunked) {
  sip::StreamFramer framer;
  FramedStream stream;
  std::size_t position = 0;
  std::size_t step = 0;
  while (position < bytes.size()) {
    std::size_t size = bytes.size() - position;
    if (chunked) {
      const auto pick = static_cast<unsigned char>(bytes[(step * 7) % bytes.size()]);
      size = std::min<std::size_t>(size, 1 + (pick + step) % 97);
    }
    framer.append(bytes.substr(position, size));
    drain(framer, stream);
    position += size;
    ++step;
  }
  // A failed framer ignores later appends, so what it still holds depends on the chunking.
  stream.end_state = framer.failed() ? "failed" : "buffered " + std::to_string(framer.buffered_bytes());
  return stream;
}

// `drsim lint` frames a capture with scan_frame itself; it must find the messages the framer
// finds, at the same offsets, plus at most one message cut short at the end.
const char* lint_disagreement(const std::vector<teams::LintResult>& results, const FramedStream& framed) {
  const std::size_t count = framed.outcomes.size();
  if (results.size() != count && results.size() != count + 1) return "lint and the framer count differently";
  for (std::size_t i = 0; i < count; ++i) {
    const FramedOutcome& outcome = framed.outcomes[i];
    if (results[i].offset != outcome.offset) return "lint and the framer place a message differently";
    if (results[i].parse_error.has_value() == outcome.ok) return "lint and the framer disagree on a message";
    if (!outcome.ok && !outcome.broke_stream &&
        results[i].parse_error->offset != outcome.offset + outcome.error_offset) {
      return "lint and the framer place a parse error differently";
    }
  }
  if (results.size() > count && !results.back().parse_error) {
    return "lint reads a message the framer does not";
  }
  return nullptr;
}

void check_lint(std::string_view bytes, const FramedStream& framed) {
  const std::vector<teams::LintResult> results = teams::lint_stream(bytes);
  static_cast<void>(teams::lint_exit_code(results));
  static_cast<void>(teams::format_lint_lines(results));
  if (const char* problem = lint_disagreement(results, framed)) invariant_broken(problem, describe(framed));
}

void check_stream(std::string_view bytes) {
  const FramedStream whole = frame_in_chunks(bytes, false);
  const FramedStream pieces = frame_in_chunks(bytes, true);
  if (!(whole == pieces)) {
    invariant_broken("StreamFramer output depends on how the stream is chunked",
                     "whole:\n" + describe(whole) + "chunked:\n" + describe(pieces));
  }
  check_lint(bytes, whole);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check_message(bytes);
  check_stream(bytes);
  return 0;
}
