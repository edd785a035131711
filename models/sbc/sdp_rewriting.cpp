#include "models/sbc/sdp_rewriting.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/sip/sdp.hpp"
#include "sim/sip/sip_text.hpp"

namespace sbc {
namespace {

// RFC 4566 §5.7: "c=IN IP4 <address>" or "IN IP6 <address>".
std::string connection_value(const net::IpAddress& address, std::string_view address_text) {
  return std::string(address.family() == net::IpFamily::V4 ? "IN IP4 " : "IN IP6 ").append(address_text);
}

// The SBC rewrites every SDP it relays, so both rewritings work on views of the received text
// (sip::split_sdp_lines) and write the result in one go, rather than copying each line into a
// sip::SessionDescription and editing that. The bytes are those parse_sdp, the sip:: editing
// functions and serialize_sdp would give: every line ends in CRLF and the m= line is written
// from its fields (tests/models/sbc/sdp_rewriting_test.cpp compares the two).

void append_line(std::string& out, char type, std::string_view value) {
  out += type;
  out += '=';
  out.append(value);
  out.append("\r\n");
}

void append_number(std::string& out, std::uint16_t number) {
  char digits[8];
  const char* end = std::to_chars(digits, digits + sizeof digits, number).ptr;
  out.append(digits, static_cast<std::size_t>(end - digits));
}

// "m=<media> <port>[/<number of ports>] <proto>" (RFC 4566 §5.14), single spaces as
// serialize_sdp writes it; the caller adds the formats and the line end.
void append_media_line_start(std::string& out, const sip::SdpMediaLine& media) {
  out.append("m=");
  out.append(media.media);
  out += ' ';
  append_number(out, media.port);
  if (media.port_count) {
    out += '/';
    append_number(out, *media.port_count);
  }
  out += ' ';
  out.append(media.proto);
}

// What strip_ice_candidates removes.
bool is_candidate_line(const sip::SdpLineView& line) {
  return line.type == 'a' && sip::is_ice_candidate_attribute(sip::split_sdp_attribute(line.value).name);
}

// The ICE attributes an ICE-lite SBC replaces with its own.
bool is_ice_attribute(const sip::SdpLineView& line) {
  if (line.type != 'a') return false;
  const std::string_view name = sip::split_sdp_attribute(line.value).name;
  return name == "ice-ufrag" || name == "ice-pwd" || name == "ice-lite" || name == "ice-options";
}

// The output is at most the text plus a CRLF per line (a lone LF, or no line end at the end),
// plus the longer c= values: the m= line is only ever shortened. `added` is for new lines.
std::size_t rewritten_size_bound(std::string_view text, std::span<const sip::SdpLineView> lines,
                                 std::string_view connection, std::size_t added) {
  std::size_t connection_lines = 0;
  for (const sip::SdpLineView& line : lines) connection_lines += line.type == 'c' ? 1 : 0;
  return text.size() + 2 * lines.size() + connection_lines * connection.size() + added;
}

// The payload types sip::keep_only_codec_names keeps for `trunk_codecs`: those whose a=rtpmap in
// a media section, or whose static encoding (RFC 3551 §6), is one of them. Chosen over all media
// sections at once, as it does.
std::vector<int> trunk_payload_types(std::span<const sip::SdpLineView> lines,
                                     std::span<const std::string> trunk_codecs) {
  const auto wanted = [&](std::string_view encoding) {
    return std::any_of(trunk_codecs.begin(), trunk_codecs.end(),
                       [&](std::string_view name) { return sip::iequals(name, encoding); });
  };
  std::vector<int> kept;
  bool in_media = false;
  for (const sip::SdpLineView& line : lines) {
    if (line.type == 'm') {
      in_media = true;
      sip::SdpWords formats(sip::parse_media_line(line.value).value().formats);
      for (std::string_view format; formats.next(format);) {
        const std::optional<int> payload_type = sip::format_payload_type(format);
        if (!payload_type) continue;
        const std::string_view encoding = sip::static_payload_encoding(*payload_type);
        if (!encoding.empty() && wanted(encoding)) kept.push_back(*payload_type);
      }
    } else if (in_media && line.type == 'a') {
      const auto [name, value] = sip::split_sdp_attribute(line.value);
      if (name != "rtpmap") continue;
      const std::optional<sip::SdpRtpMap> map = sip::parse_rtpmap(value.value_or(std::string_view{}));
      if (map && wanted(map->encoding)) kept.push_back(map->payload_type);
    }
  }
  return kept;
}

// RFC 8445 §5.1.2.1 with type preference 126 (host), local preference 65535, component 1.
constexpr std::string_view kHostCandidatePriority = "2130706431";

// What an ICE-lite SBC adds to a media section with a port: its credentials and one host
// candidate at its address and the m= port.
void append_ice_lite_media_lines(std::string& out, const IceCredentials& credentials, std::string_view address_text,
                                 std::uint16_t port) {
  out.append("a=ice-ufrag:").append(credentials.ufrag).append("\r\n");
  out.append("a=ice-pwd:").append(credentials.pwd).append("\r\n");
  out.append("a=candidate:1 1 UDP ").append(kHostCandidatePriority).append(" ").append(address_text).append(" ");
  append_number(out, port);
  out.append(" typ host\r\n");
}

}  // namespace

std::optional<std::string> sdp_for_trunk(std::string_view sdp, const net::IpAddress& media_address,
                                         std::span<const std::string> trunk_codecs) {
  return SdpRewriter(media_address, trunk_codecs).for_trunk(sdp);
}

std::optional<std::string> sdp_for_microsoft(std::string_view sdp, const net::IpAddress& media_address,
                                             const std::optional<IceCredentials>& ice_lite) {
  return SdpRewriter(media_address, {}).for_microsoft(sdp, ice_lite);
}

SdpRewriter::SdpRewriter(const net::IpAddress& media_address, std::span<const std::string> trunk_codecs)
    : address_text_(media_address.text()),
      connection_value_(connection_value(media_address, address_text_)),
      trunk_codecs_(trunk_codecs.begin(), trunk_codecs.end()) {}

std::optional<std::string> SdpRewriter::for_trunk(std::string_view sdp) const {
  const auto split = sip::split_sdp_lines(sdp);
  if (!split.ok()) return std::nullopt;
  const std::vector<sip::SdpLineView>& lines = split.value();
  const std::vector<int> kept_payload_types = trunk_payload_types(lines, trunk_codecs_);
  const auto kept = [&kept_payload_types](int payload_type) {
    return std::find(kept_payload_types.begin(), kept_payload_types.end(), payload_type) !=
           kept_payload_types.end();
  };
  std::string out;
  out.reserve(rewritten_size_bound(sdp, lines, connection_value_, 0));
  // False at session level and in a media section none of whose formats the trunk uses: that
  // one keeps all its codecs, since an m= line without formats is not SDP (RFC 4566 §5.14).
  bool filter_codecs = false;
  for (const sip::SdpLineView& line : lines) {
    if (line.type == 'm') {
      const sip::SdpMediaLine media = sip::parse_media_line(line.value).value();  // split_sdp_lines checked it
      const auto format_kept = [&kept](std::string_view format) {
        const std::optional<int> payload_type = sip::format_payload_type(format);
        return !payload_type || kept(*payload_type);
      };
      filter_codecs = false;
      sip::SdpWords formats(media.formats);
      for (std::string_view format; !filter_codecs && formats.next(format);) filter_codecs = format_kept(format);
      append_media_line_start(out, media);
      formats = sip::SdpWords(media.formats);
      for (std::string_view format; formats.next(format);) {
        if (!filter_codecs || format_kept(format)) out.append(" ").append(format);
      }
      out.append("\r\n");
      continue;
    }
    if (is_candidate_line(line)) continue;
    if (filter_codecs && line.type == 'a') {
      const std::optional<int> payload_type = sip::codec_attribute_payload_type(line.value);
      if (payload_type && !kept(*payload_type)) continue;
    }
    append_line(out, line.type, line.type == 'c' ? std::string_view(connection_value_) : line.value);
  }
  return out;
}

std::optional<std::string> SdpRewriter::for_microsoft(std::string_view sdp,
                                                      const std::optional<IceCredentials>& ice_lite) const {
  const auto split = sip::split_sdp_lines(sdp);
  if (!split.ok()) return std::nullopt;
  const std::vector<sip::SdpLineView>& lines = split.value();
  std::size_t added = 0;
  if (ice_lite) {
    // "a=ice-lite\r\n", and per media section the credentials and a candidate line: 74 bytes
    // of fixed text with a five-digit port, plus the credentials and the address.
    const std::size_t media_sections = static_cast<std::size_t>(
        std::count_if(lines.begin(), lines.end(), [](const sip::SdpLineView& line) { return line.type == 'm'; }));
    const std::size_t per_media = 74 + ice_lite->ufrag.size() + ice_lite->pwd.size() + address_text_.size();
    added = 12 + media_sections * per_media;
  }
  std::string out;
  out.reserve(rewritten_size_bound(sdp, lines, connection_value_, added));
  // With ICE lite, the SBC's own ICE lines close the section they belong to: a=ice-lite the
  // session part, the credentials and candidate each media section with a port (a rejected
  // stream gets none, RFC 3264 §6).
  std::optional<std::uint16_t> media_port;  // the current media section's; nullopt at session level
  const auto close_section = [&] {
    if (!ice_lite) return;
    if (!media_port) {
      out.append("a=ice-lite\r\n");
    } else if (*media_port != 0) {
      append_ice_lite_media_lines(out, *ice_lite, address_text_, *media_port);
    }
  };
  for (const sip::SdpLineView& line : lines) {
    if (line.type == 'm') {
      close_section();
      const sip::SdpMediaLine media = sip::parse_media_line(line.value).value();  // split_sdp_lines checked it
      media_port = media.port;
      append_media_line_start(out, media);
      sip::SdpWords formats(media.formats);
      for (std::string_view format; formats.next(format);) out.append(" ").append(format);
      out.append("\r\n");
      continue;
    }
    if (ice_lite && (is_candidate_line(line) || is_ice_attribute(line))) continue;
    append_line(out, line.type, line.type == 'c' ? std::string_view(connection_value_) : line.value);
  }
  close_section();
  return out;
}

}  // namespace sbc
