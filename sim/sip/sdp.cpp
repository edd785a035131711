#include "sim/sip/sdp.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <limits>

#include "sim/core/check.hpp"
#include "sim/sip/sip_text.hpp"

namespace sip {
namespace {

std::vector<std::string_view> split_spaces(std::string_view text) {
  std::vector<std::string_view> out;
  SdpWords words(text);
  for (std::string_view word; words.next(word);) out.push_back(word);
  return out;
}

template <class T>
bool parse_number(std::string_view text, T& out) {
  if (text.empty()) return false;
  // Up to nine digits fit every T used here, so they need none of from_chars' sign and overflow
  // checks, which cost more than the digits: the SBC reads ~40 numbers in each SDP it relays.
  static_assert(std::numeric_limits<T>::max() >= 999'999'999);
  if (text.size() <= 9) {
    std::uint32_t value = 0;
    std::size_t digits = 0;
    for (; digits < text.size(); ++digits) {
      const std::uint32_t digit = static_cast<unsigned char>(text[digits]) - std::uint32_t{'0'};
      if (digit > 9) break;
      value = value * 10 + digit;
    }
    if (digits == text.size()) {
      out = static_cast<T>(value);
      return true;
    }
  }
  auto result = std::from_chars(text.data(), text.data() + text.size(), out);
  return result.ec == std::errc() && result.ptr == text.data() + text.size();
}

// The value of an a= line split at its first colon: "rtpmap:0 PCMU/8000", or "sendrecv" (a flag
// attribute, §5.13, which has no value).
struct SdpAttribute {
  std::string_view name;
  std::optional<std::string_view> value;
};
SdpAttribute split_sdp_attribute(std::string_view line_value) {
  // The inline search: typed reads split every attribute of a section.
  const std::size_t colon = find_byte(line_value, ':');
  if (colon == std::string_view::npos) return {line_value, std::nullopt};
  return {line_value.substr(0, colon), line_value.substr(colon + 1)};
}

int leading_payload_type(std::string_view value) {
  // "104 SILK/16000" -> 104; "* x-message" -> -1
  const std::size_t space = find_byte(value, ' ');
  int pt = -1;
  if (!parse_number(value.substr(0, space), pt)) return -1;
  return pt;
}

}  // namespace

bool SdpWords::next(std::string_view& word) {
  std::size_t start = 0;
  while (start < rest_.size() && rest_[start] == ' ') ++start;
  std::size_t end = start;
  while (end < rest_.size() && rest_[end] != ' ') ++end;
  word = rest_.substr(start, end - start);
  rest_.remove_prefix(end);
  return !word.empty();
}

std::optional<SdpRtpMap> parse_rtpmap(std::string_view attribute_value) {
  SdpRtpMap map;
  const std::size_t space = find_byte(attribute_value, ' ');
  if (space == std::string_view::npos || !parse_number(attribute_value.substr(0, space), map.payload_type)) {
    return std::nullopt;
  }
  std::string_view encoding = attribute_value.substr(space + 1);
  const std::size_t slash = find_byte(encoding, '/');
  map.encoding = encoding.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view clock = encoding.substr(slash + 1);
    const std::size_t second = find_byte(clock, '/');
    if (second != std::string_view::npos) map.channels = clock.substr(second + 1);
    if (!parse_number(clock.substr(0, second), map.clock_rate)) return std::nullopt;
  }
  return map;
}

std::string_view static_payload_encoding(int payload_type) {
  // The ones a Direct Routing SBC meets.
  switch (payload_type) {
    case 0: return "PCMU";
    case 8: return "PCMA";
    case 9: return "G722";
    case 13: return "CN";
    case 18: return "G729";
    default: return {};
  }
}

std::optional<int> format_payload_type(std::string_view format) {
  int payload_type = -1;
  if (!parse_number(format, payload_type)) return std::nullopt;
  return payload_type;
}

std::optional<int> codec_attribute_payload_type(std::string_view line_value) {
  // A prefix test rather than split_sdp_attribute: the SBC asks this of every a= line it relays.
  std::optional<std::string_view> value;
  for (std::string_view prefix : {"rtpmap:", "fmtp:", "rtcp-fb:"}) {
    if (line_value.starts_with(prefix)) value = line_value.substr(prefix.size());
  }
  if (!value) return std::nullopt;
  const int payload_type = leading_payload_type(*value);
  if (payload_type < 0) return std::nullopt;  // "a=rtcp-fb:* ..."
  return payload_type;
}

std::vector<std::string_view> SdpSection::attributes(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const SdpLine& line : lines) {
    if (line.type != 'a') continue;
    auto [attribute, value] = split_sdp_attribute(line.value);
    if (attribute == name) out.push_back(value.value_or(std::string_view{}));
  }
  return out;
}

bool SdpSection::has_attribute(std::string_view name) const {
  for (const SdpLine& line : lines) {
    if (line.type == 'a' && split_sdp_attribute(line.value).name == name) return true;
  }
  return false;
}

std::optional<SdpConnection> SdpSection::connection() const {
  for (const SdpLine& line : lines) {
    if (line.type != 'c') continue;
    auto parts = split_spaces(line.value);
    if (parts.size() != 3) return std::nullopt;
    return SdpConnection{parts[0], parts[1], parts[2]};
  }
  return std::nullopt;
}

std::optional<MediaDirection> SdpSection::direction() const {
  for (const SdpLine& line : lines) {
    if (line.type != 'a') continue;
    if (line.value == "sendrecv") return MediaDirection::SendRecv;
    if (line.value == "sendonly") return MediaDirection::SendOnly;
    if (line.value == "recvonly") return MediaDirection::RecvOnly;
    if (line.value == "inactive") return MediaDirection::Inactive;
  }
  return std::nullopt;
}

std::optional<std::string_view> SdpSection::ice_ufrag() const {
  auto values = attributes("ice-ufrag");
  return values.empty() ? std::nullopt : std::optional<std::string_view>(values.front());
}

std::optional<std::string_view> SdpSection::ice_pwd() const {
  auto values = attributes("ice-pwd");
  return values.empty() ? std::nullopt : std::optional<std::string_view>(values.front());
}

std::vector<SdpRtpMap> SdpSection::rtpmaps() const {
  std::vector<SdpRtpMap> out;
  // The lines are read directly rather than through attributes("rtpmap"), which would first
  // collect the values in a vector of their own.
  for (const SdpLine& line : lines) {
    if (line.type != 'a') continue;
    const auto [name, value] = split_sdp_attribute(line.value);
    if (name != "rtpmap") continue;
    if (auto map = parse_rtpmap(value.value_or(std::string_view{}))) out.push_back(*map);
  }
  return out;
}

std::optional<std::string_view> SdpSection::fmtp(int payload_type) const {
  for (std::string_view value : attributes("fmtp")) {
    if (leading_payload_type(value) == payload_type) {
      const std::size_t space = value.find(' ');
      return space == std::string_view::npos ? std::string_view{} : value.substr(space + 1);
    }
  }
  return std::nullopt;
}

sim::Result<std::vector<SdpCandidate>, std::string> SdpSection::candidates() const {
  std::vector<SdpCandidate> out;
  for (std::string_view value : attributes("candidate")) {
    // foundation component-id transport priority address port "typ" type [raddr a] [rport p] ...
    auto parts = split_spaces(value);
    SdpCandidate candidate;
    std::uint32_t port = 0;
    if (parts.size() < 8 || parts[6] != "typ" || !parse_number(parts[1], candidate.component) ||
        !parse_number(parts[3], candidate.priority) || !parse_number(parts[5], port) || port > 65535) {
      return sim::Failure{"malformed a=candidate: " + std::string(value)};
    }
    candidate.foundation = parts[0];
    candidate.transport = parts[2];
    candidate.address = parts[4];
    candidate.port = static_cast<std::uint16_t>(port);
    candidate.type = parts[7];
    for (std::size_t i = 8; i + 1 < parts.size(); i += 2) {
      if (parts[i] == "raddr") candidate.related_address = parts[i + 1];
      if (parts[i] == "rport") {
        std::uint32_t related = 0;
        if (!parse_number(parts[i + 1], related) || related > 65535) {
          return sim::Failure{"malformed rport in a=candidate: " + std::string(value)};
        }
        candidate.related_port = static_cast<std::uint16_t>(related);
      }
    }
    out.push_back(candidate);
  }
  return out;
}

std::vector<std::string_view> SdpSection::bandwidths() const {
  std::vector<std::string_view> out;
  for (const SdpLine& line : lines) {
    if (line.type == 'b') out.push_back(line.value);
  }
  return out;
}

std::optional<SdpOrigin> SessionDescription::origin() const {
  for (const SdpLine& line : lines) {
    if (line.type != 'o') continue;
    auto parts = split_spaces(line.value);
    if (parts.size() != 6) return std::nullopt;
    return SdpOrigin{parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]};
  }
  return std::nullopt;
}

std::optional<std::string_view> SessionDescription::session_name() const {
  for (const SdpLine& line : lines) {
    if (line.type == 's') return std::string_view(line.value);
  }
  return std::nullopt;
}

MediaDirection SessionDescription::effective_direction(std::size_t media_index) const {
  if (auto own = media[media_index].direction()) return *own;
  return direction().value_or(MediaDirection::SendRecv);
}

sim::Result<SdpMediaLine, std::string_view> parse_media_line(std::string_view value) {
  SdpWords words(value);
  SdpMediaLine line;
  std::string_view port_text;
  if (!words.next(line.media) || !words.next(port_text) || !words.next(line.proto)) {
    return sim::Failure{std::string_view("m= needs media, port and proto")};
  }
  const std::size_t slash = port_text.find('/');
  std::uint32_t port = 0;
  if (!parse_number(port_text.substr(0, slash), port) || port > 65535) {
    return sim::Failure{std::string_view("m= port is not a number in 0-65535")};
  }
  line.port = static_cast<std::uint16_t>(port);
  if (slash != std::string_view::npos) {
    std::uint32_t count = 0;
    if (!parse_number(port_text.substr(slash + 1), count) || count > 65535) {
      return sim::Failure{std::string_view("m= port count is not a number")};
    }
    line.port_count = static_cast<std::uint16_t>(count);
  }
  // What follows the proto; SdpWords skips the spaces before the first format.
  line.formats = value.substr(static_cast<std::size_t>(line.proto.data() + line.proto.size() - value.data()));
  return line;
}

sim::Result<SdpLineViews, SdpError> split_sdp_lines(std::string_view text) {
  SdpLineViews split;
  // Sized once from the length, as counting the lines first would cost a second pass: SDP lines
  // average 25-40 bytes, and a body of shorter ones only grows the vector once or twice.
  split.lines.reserve(text.size() / 16 + 4);
  int line_number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = find_byte(text, '\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // Checked before the empty-line rule: a body that is only a line end is not SDP either.
    if (line_number == 1 && line != "v=0") {
      return sim::Failure{SdpError{line_number, "SDP must start with v=0"}};
    }
    if (line.empty()) {
      // A trailing empty line is tolerated; an empty line in the middle is not SDP (§5).
      if (pos >= text.size()) break;
      return sim::Failure{SdpError{line_number, "empty line inside SDP"}};
    }
    if (line.size() < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z') {
      return sim::Failure{SdpError{line_number, "SDP line is not <type>=<value>"}};
    }
    const SdpLineView view{line[0], line.substr(2)};
    if (view.type == 'm') {
      auto media = parse_media_line(view.value);
      if (!media.ok()) return sim::Failure{SdpError{line_number, std::string(media.error())}};
      split.media_lines.push_back(media.value());
    }
    split.lines.push_back(view);
  }
  if (line_number == 0) return sim::Failure{SdpError{0, "empty SDP"}};
  return split;
}

sim::Result<SessionDescription, SdpError> parse_sdp(std::string_view text) {
  auto split = split_sdp_lines(text);
  if (!split.ok()) return sim::Failure{split.error()};
  const std::vector<SdpLineView>& lines = split.value().lines;
  // Each line list is sized for its own lines: growing them one push at a time reallocated and
  // moved the lines four or five times per body.
  const auto lines_before_next_media = [&lines](std::size_t from) {
    std::size_t count = 0;
    while (from + count < lines.size() && lines[from + count].type != 'm') ++count;
    return count;
  };
  SessionDescription sdp;
  sdp.lines.reserve(lines_before_next_media(0));
  sdp.media.reserve(split.value().media_lines.size());
  std::vector<SdpLine>* current = &sdp.lines;
  for (std::size_t index = 0; index < lines.size(); ++index) {
    const SdpLineView& line = lines[index];
    if (line.type != 'm') {
      current->push_back(SdpLine{line.type, std::string(line.value)});
      continue;
    }
    const SdpMediaLine& parsed = split.value().media_lines[sdp.media.size()];
    MediaDescription media;
    media.media = std::string(parsed.media);
    media.port = parsed.port;
    media.port_count = parsed.port_count;
    media.proto = std::string(parsed.proto);
    SdpWords formats(parsed.formats);
    for (std::string_view format; formats.next(format);) media.formats.emplace_back(format);
    media.lines.reserve(lines_before_next_media(index + 1));
    sdp.media.push_back(std::move(media));
    current = &sdp.media.back().lines;
  }
  return sdp;
}

std::string serialize_sdp(const SessionDescription& sdp) {
  // The exact size first, then plain copies into one allocation: the SBC serializes every SDP
  // it relays, ~50 lines of four pieces each, and appending paid a capacity check per piece.
  const auto number_text = [](std::uint16_t number, char (&digits)[8]) {
    const char* end = std::to_chars(digits, digits + sizeof digits, number).ptr;
    return std::string_view(digits, static_cast<std::size_t>(end - digits));
  };
  const auto lines_size = [](const std::vector<SdpLine>& lines) {
    std::size_t size = 0;
    for (const SdpLine& line : lines) size += 2 + line.value.size() + 2;  // "x=" value CRLF
    return size;
  };
  std::size_t total = lines_size(sdp.lines);
  for (const MediaDescription& media : sdp.media) {
    char digits[8];
    total += 2 + media.media.size() + 1 + number_text(media.port, digits).size();
    if (media.port_count) total += 1 + number_text(*media.port_count, digits).size();
    total += 1 + media.proto.size() + 2;
    for (const std::string& format : media.formats) total += 1 + format.size();
    total += lines_size(media.lines);
  }
  std::string out(total, '\0');
  char* cursor = out.data();
  const auto put = [&cursor](std::string_view text) {
    std::memcpy(cursor, text.data(), text.size());
    cursor += text.size();
  };
  const auto put_char = [&cursor](char c) { *cursor++ = c; };
  const auto write_lines = [&](const std::vector<SdpLine>& lines) {
    for (const SdpLine& line : lines) {
      put_char(line.type);
      put_char('=');
      put(line.value);
      put("\r\n");
    }
  };
  write_lines(sdp.lines);
  for (const MediaDescription& media : sdp.media) {
    char digits[8];
    put("m=");
    put(media.media);
    put_char(' ');
    put(number_text(media.port, digits));
    if (media.port_count) {
      put_char('/');
      put(number_text(*media.port_count, digits));
    }
    put_char(' ');
    put(media.proto);
    for (const std::string& format : media.formats) {
      put_char(' ');
      put(format);
    }
    put("\r\n");
    write_lines(media.lines);
  }
  DRSIM_CHECK(cursor == out.data() + out.size(), "serialize_sdp: size computed wrongly");
  return out;
}

void strip_ice_candidates(SessionDescription& sdp) {
  const auto is_candidate = [](const SdpLine& line) {
    return line.type == 'a' && is_ice_candidate_attribute(line.value);
  };
  std::erase_if(sdp.lines, is_candidate);
  for (MediaDescription& media : sdp.media) std::erase_if(media.lines, is_candidate);
}

namespace {

void keep_only_codecs_in(MediaDescription& media, std::span<const int> payload_types) {
  const auto kept = [&](int pt) {
    return std::find(payload_types.begin(), payload_types.end(), pt) != payload_types.end();
  };
  std::erase_if(media.formats, [&](const std::string& format) {
    const std::optional<int> pt = format_payload_type(format);
    return pt && !kept(*pt);
  });
  std::erase_if(media.lines, [&](const SdpLine& line) {
    if (line.type != 'a') return false;
    const std::optional<int> pt = codec_attribute_payload_type(line.value);
    return pt && !kept(*pt);
  });
}

}  // namespace

void keep_only_codecs(SessionDescription& sdp, std::span<const int> payload_types) {
  for (MediaDescription& media : sdp.media) keep_only_codecs_in(media, payload_types);
}

void keep_only_codec_names(SessionDescription& sdp, std::span<const std::string_view> names) {
  const auto wanted = [&](std::string_view encoding) {
    return std::any_of(names.begin(), names.end(), [&](std::string_view n) { return iequals(n, encoding); });
  };
  // RFC 4566 §6 (rtpmap is a media-level attribute) and RFC 3264 §5.1: a dynamic payload type
  // names a codec within its own m= section, so each section's kept set is its own.
  std::vector<int> keep;
  for (MediaDescription& media : sdp.media) {
    keep.clear();
    for (const SdpRtpMap& map : media.rtpmaps()) {
      if (wanted(map.encoding)) keep.push_back(map.payload_type);
    }
    for (const std::string& format : media.formats) {
      const std::optional<int> pt = format_payload_type(format);
      if (pt && !static_payload_encoding(*pt).empty() && wanted(static_payload_encoding(*pt))) {
        keep.push_back(*pt);
      }
    }
    keep_only_codecs_in(media, keep);
  }
}

std::string sdes_inline_key(std::uint64_t seed) {
  // RFC 4568 §6.1: a 30-byte master key and salt, base64 (40 characters). No media flows, so
  // the bytes need only look right and stay the same run to run: splitmix64 of the seed.
  static constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::array<unsigned char, 30> bytes{};
  std::uint64_t state = seed;
  for (std::size_t i = 0; i < bytes.size(); i += 8) {
    state += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    for (std::size_t j = 0; j < 8 && i + j < bytes.size(); ++j) bytes[i + j] = static_cast<unsigned char>(z >> (8 * j));
  }
  std::string text;
  text.reserve(40);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::uint32_t group = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) text.push_back(kBase64[(group >> shift) & 0x3f]);
  }
  return text;
}

}  // namespace sip
