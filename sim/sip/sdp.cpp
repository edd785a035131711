#include "sim/sip/sdp.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "sim/core/check.hpp"
#include "sim/sip/sip_text.hpp"

namespace sip {
namespace {

std::vector<std::string_view> split_spaces(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

template <class T>
bool parse_number(std::string_view text, T& out) {
  if (text.empty()) return false;
  auto result = std::from_chars(text.data(), text.data() + text.size(), out);
  return result.ec == std::errc() && result.ptr == text.data() + text.size();
}

// "name:value" or "name" (flag attribute, §5.13).
std::pair<std::string_view, std::optional<std::string_view>> split_attribute(std::string_view value) {
  // The inline search: the SBC's codec and ICE filters split every attribute of every offer.
  const std::size_t colon = find_byte(value, ':');
  if (colon == std::string_view::npos) return {value, std::nullopt};
  return {value.substr(0, colon), value.substr(colon + 1)};
}

int leading_payload_type(std::string_view value) {
  // "104 SILK/16000" -> 104; "* x-message" -> -1
  const std::size_t space = value.find(' ');
  int pt = -1;
  if (!parse_number(value.substr(0, space), pt)) return -1;
  return pt;
}

std::string_view static_encoding(int payload_type) {
  // RFC 3551 §6 table 4 (audio), the ones a Direct Routing SBC meets.
  switch (payload_type) {
    case 0: return "PCMU";
    case 8: return "PCMA";
    case 9: return "G722";
    case 13: return "CN";
    case 18: return "G729";
    default: return {};
  }
}

bool is_candidate_attribute(std::string_view name) {
  return name == "candidate" || name == "x-candidate-ipv6" || name == "remote-candidates" ||
         name == "end-of-candidates";
}

}  // namespace

std::vector<std::string_view> SdpSection::attributes(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const SdpLine& line : lines) {
    if (line.type != 'a') continue;
    auto [attribute, value] = split_attribute(line.value);
    if (attribute == name) out.push_back(value.value_or(std::string_view{}));
  }
  return out;
}

bool SdpSection::has_attribute(std::string_view name) const {
  for (const SdpLine& line : lines) {
    if (line.type == 'a' && split_attribute(line.value).first == name) return true;
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
    const auto [name, attribute_value] = split_attribute(line.value);
    if (name != "rtpmap") continue;
    const std::string_view value = attribute_value.value_or(std::string_view{});
    SdpRtpMap map;
    const std::size_t space = value.find(' ');
    if (space == std::string_view::npos || !parse_number(value.substr(0, space), map.payload_type)) continue;
    std::string_view encoding = value.substr(space + 1);
    const std::size_t slash = encoding.find('/');
    map.encoding = encoding.substr(0, slash);
    if (slash != std::string_view::npos) {
      std::string_view clock = encoding.substr(slash + 1);
      const std::size_t second = clock.find('/');
      if (second != std::string_view::npos) map.channels = clock.substr(second + 1);
      if (!parse_number(clock.substr(0, second), map.clock_rate)) continue;
    }
    out.push_back(map);
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

sim::Result<SessionDescription, SdpError> parse_sdp(std::string_view text) {
  SessionDescription sdp;
  // Each line list is sized for all the lines that may follow (the session's up to the first
  // m=, a media section's up to the end): growing them one push at a time reallocated and moved
  // the lines four or five times per body. Capacity only; the lines are the same.
  const std::size_t first_media = text.starts_with("m=") ? 0 : text.find("\nm=");
  const auto count_lines = [&](std::size_t from, std::size_t to) {
    std::size_t lines = 1;
    for (std::size_t at = find_byte(text, '\n', from); at < to && at != std::string_view::npos;
         at = find_byte(text, '\n', at + 1)) {
      ++lines;
    }
    return lines;
  };
  sdp.lines.reserve(count_lines(0, first_media == std::string_view::npos ? text.size() : first_media));
  MediaDescription* current = nullptr;
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
    const char type = line[0];
    const std::string_view value = line.substr(2);
    if (type == 'm') {
      // m=<media> <port>[/<number of ports>] <proto> <fmt> ...  (§5.14)
      auto parts = split_spaces(value);
      if (parts.size() < 3) return sim::Failure{SdpError{line_number, "m= needs media, port and proto"}};
      MediaDescription media;
      media.media = std::string(parts[0]);
      const std::size_t slash = parts[1].find('/');
      std::uint32_t port = 0;
      if (!parse_number(parts[1].substr(0, slash), port) || port > 65535) {
        return sim::Failure{SdpError{line_number, "m= port is not a number in 0-65535"}};
      }
      media.port = static_cast<std::uint16_t>(port);
      if (slash != std::string_view::npos) {
        std::uint32_t count = 0;
        if (!parse_number(parts[1].substr(slash + 1), count) || count > 65535) {
          return sim::Failure{SdpError{line_number, "m= port count is not a number"}};
        }
        media.port_count = static_cast<std::uint16_t>(count);
      }
      media.proto = std::string(parts[2]);
      for (std::size_t i = 3; i < parts.size(); ++i) media.formats.emplace_back(parts[i]);
      media.lines.reserve(count_lines(pos, text.size()));
      sdp.media.push_back(std::move(media));
      current = &sdp.media.back();
      continue;
    }
    SdpLine stored{type, std::string(value)};
    if (current != nullptr) {
      current->lines.push_back(std::move(stored));
    } else {
      sdp.lines.push_back(std::move(stored));
    }
  }
  if (line_number == 0) return sim::Failure{SdpError{0, "empty SDP"}};
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
    return line.type == 'a' && is_candidate_attribute(split_attribute(line.value).first);
  };
  std::erase_if(sdp.lines, is_candidate);
  for (MediaDescription& media : sdp.media) std::erase_if(media.lines, is_candidate);
}

void keep_only_codecs(SessionDescription& sdp, std::span<const int> payload_types) {
  const auto kept = [&](int pt) {
    return std::find(payload_types.begin(), payload_types.end(), pt) != payload_types.end();
  };
  for (MediaDescription& media : sdp.media) {
    std::erase_if(media.formats, [&](const std::string& format) {
      int pt = -1;
      return parse_number(std::string_view(format), pt) && !kept(pt);
    });
    std::erase_if(media.lines, [&](const SdpLine& line) {
      if (line.type != 'a') return false;
      auto [name, value] = split_attribute(line.value);
      if (!value || (name != "rtpmap" && name != "fmtp" && name != "rtcp-fb")) return false;
      const int pt = leading_payload_type(*value);
      return pt >= 0 && !kept(pt);  // "a=rtcp-fb:* ..." applies to all and stays
    });
  }
}

void keep_only_codec_names(SessionDescription& sdp, std::span<const std::string_view> names) {
  std::vector<int> keep;
  const auto wanted = [&](std::string_view encoding) {
    return std::any_of(names.begin(), names.end(), [&](std::string_view n) { return iequals(n, encoding); });
  };
  for (const MediaDescription& media : sdp.media) {
    for (const SdpRtpMap& map : media.rtpmaps()) {
      if (wanted(map.encoding)) keep.push_back(map.payload_type);
    }
    for (const std::string& format : media.formats) {
      int pt = -1;
      if (parse_number(std::string_view(format), pt) && !static_encoding(pt).empty() &&
          wanted(static_encoding(pt))) {
        keep.push_back(pt);
      }
    }
  }
  keep_only_codecs(sdp, keep);
}

}  // namespace sip
