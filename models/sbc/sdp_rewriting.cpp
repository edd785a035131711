#include "models/sbc/sdp_rewriting.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/core/check.hpp"
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

// Text written into one allocation sized for the most a rewriting can write, then cut to what
// was written: a plain copy per piece, where std::string::append checked the capacity for each
// of a body's ~100 pieces.
class BoundedText {
 public:
  explicit BoundedText(std::size_t bound)
      : text_(bound, '\0'), cursor_(text_.data()), end_(text_.data() + text_.size()) {}
  BoundedText(const BoundedText&) = delete;  // the cursor points into text_
  BoundedText& operator=(const BoundedText&) = delete;

  void put(std::string_view piece) {
    DRSIM_CHECK(piece.size() <= room(), "SDP rewriting: the size bound is wrong");
    std::memcpy(cursor_, piece.data(), piece.size());
    cursor_ += piece.size();
  }
  void put(char c) { put(std::string_view(&c, 1)); }
  void put_number(std::uint16_t number) {
    char digits[8];
    const char* end = std::to_chars(digits, digits + sizeof digits, number).ptr;
    put(std::string_view(digits, static_cast<std::size_t>(end - digits)));
  }
  // "<type>=<value>" CRLF, with one check of the room for all four pieces.
  void put_line(char type, std::string_view value) {
    const std::size_t size = 2 + value.size() + 2;
    DRSIM_CHECK(size <= room(), "SDP rewriting: the size bound is wrong");
    cursor_[0] = type;
    cursor_[1] = '=';
    std::memcpy(cursor_ + 2, value.data(), value.size());
    std::memcpy(cursor_ + 2 + value.size(), "\r\n", 2);
    cursor_ += size;
  }
  std::string finish() && {
    text_.resize(static_cast<std::size_t>(cursor_ - text_.data()));
    return std::move(text_);
  }

 private:
  std::size_t room() const { return static_cast<std::size_t>(end_ - cursor_); }

  std::string text_;
  char* cursor_;
  const char* end_;
};

// The most a rewriting writes: the text, plus a CRLF per line (where it had a lone LF or, on the
// last line, none), plus the c= values if every line were one, plus the `added` lines. An m=
// line is never longer than it was: one space between fields, and a port written from its
// digits loses only leading zeros.
std::size_t rewritten_size_bound(std::string_view text, const sip::SdpLineViews& split, std::string_view connection,
                                 std::size_t added) {
  return text.size() + split.lines.size() * (2 + connection.size()) + added;
}

// "m=<media> <port>[/<number of ports>] <proto>" (RFC 4566 §5.14) with single spaces, as
// serialize_sdp writes it, with the transport `proto`; the caller adds the formats and the line end.
void put_media_line_start(BoundedText& out, const sip::SdpMediaLine& media, std::string_view proto) {
  out.put("m=");
  out.put(media.media);
  out.put(' ');
  out.put_number(media.port);
  if (media.port_count) {
    out.put('/');
    out.put_number(*media.port_count);
  }
  out.put(' ');
  out.put(proto);
}

// The SBC terminates SRTP toward Microsoft (Direct Routing media is always SRTP) and speaks
// plain RTP to the trunk: the m= transport of each side (RFC 3711 §12: RTP/SAVP; RFC 5124:
// RTP/SAVPF).
std::string_view srtp_proto(std::string_view proto) {
  if (proto == "RTP/AVP") return "RTP/SAVP";
  if (proto == "RTP/AVPF") return "RTP/SAVPF";
  return proto;
}
std::string_view rtp_proto(std::string_view proto) {
  if (proto == "RTP/SAVP") return "RTP/AVP";
  if (proto == "RTP/SAVPF") return "RTP/AVPF";
  return proto;
}

// o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address> (RFC 4566 §5.2) naming
// the SBC, whose B2BUA originates the session each side sees; a value with fewer fields stays.
void put_origin_line(BoundedText& out, std::string_view value, std::string_view connection_value) {
  std::size_t third_space = std::string_view::npos;
  for (std::size_t at = 0, spaces = 0; at < value.size(); ++at)
    if (value[at] == ' ' && ++spaces == 3) {
      third_space = at;
      break;
    }
  if (third_space == std::string_view::npos) return out.put_line('o', value);
  out.put("o=");
  out.put(value.substr(0, third_space + 1));
  out.put(connection_value);
  out.put("\r\n");
}

// SDES keying toward Microsoft (RFC 4568 §9.1), for a media section that has none.
constexpr std::string_view kCryptoPrefix = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:";
constexpr std::size_t kCryptoLineSize = kCryptoPrefix.size() + 40 + 2;

bool is_crypto_line(const sip::SdpLineView& line) { return line.type == 'a' && sip::is_sdp_attribute(line.value, "crypto"); }

// FNV-1a of the body: the seed of the keys the SBC adds to it, so the same body gets the same keys.
std::uint64_t key_seed(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return hash;
}

// What strip_ice_candidates removes.
bool is_candidate_line(const sip::SdpLineView& line) {
  return line.type == 'a' && sip::is_ice_candidate_attribute(line.value);
}

// The ICE attributes an ICE-lite SBC replaces with its own.
bool is_ice_attribute(const sip::SdpLineView& line) {
  return line.type == 'a' && (sip::is_sdp_attribute(line.value, "ice-ufrag") || sip::is_sdp_attribute(line.value, "ice-pwd") ||
                              sip::is_sdp_attribute(line.value, "ice-lite") ||
                              sip::is_sdp_attribute(line.value, "ice-options"));
}

// A set of payload types. RTP's are 7 bits (RFC 3550 §5.1) and go in a table; others, which an
// m= line may still write, in a list.
class PayloadTypeSet {
 public:
  bool contains(int payload_type) const {
    if (payload_type >= 0 && payload_type < kRtpPayloadTypes) return rtp_[static_cast<std::size_t>(payload_type)];
    return std::find(others_.begin(), others_.end(), payload_type) != others_.end();
  }
  void insert(int payload_type) {
    if (payload_type >= 0 && payload_type < kRtpPayloadTypes) {
      rtp_[static_cast<std::size_t>(payload_type)] = true;
    } else if (!contains(payload_type)) {
      others_.push_back(payload_type);
    }
  }

 private:
  static constexpr int kRtpPayloadTypes = 128;
  std::array<bool, kRtpPayloadTypes> rtp_{};
  std::vector<int> others_;
};

// The payload types sip::keep_only_codec_names keeps in one media section for `trunk_codecs`:
// those whose a=rtpmap in the section (`section`: the lines after its m= line), or whose static
// encoding (RFC 3551 §6), is one of them. Per section, as it does: a dynamic payload type names
// a codec only within its own m= section (RFC 4566 §6).
PayloadTypeSet trunk_payload_types(const sip::SdpMediaLine& media, std::span<const sip::SdpLineView> section,
                                   std::span<const std::string> trunk_codecs) {
  const auto wanted = [&](std::string_view encoding) {
    return std::any_of(trunk_codecs.begin(), trunk_codecs.end(),
                       [&](std::string_view name) { return sip::iequals(name, encoding); });
  };
  PayloadTypeSet kept;
  sip::SdpWords formats(media.formats);
  for (std::string_view format; formats.next(format);) {
    const std::optional<int> payload_type = sip::format_payload_type(format);
    if (!payload_type || kept.contains(*payload_type)) continue;
    const std::string_view encoding = sip::static_payload_encoding(*payload_type);
    if (!encoding.empty() && wanted(encoding)) kept.insert(*payload_type);
  }
  for (const sip::SdpLineView& line : section) {
    if (line.type != 'a' || !line.value.starts_with("rtpmap:")) continue;
    // An rtpmap for a payload type already kept can add nothing: its payload type is read
    // first, which costs less than the whole rtpmap.
    const std::optional<int> payload_type = sip::codec_attribute_payload_type(line.value);
    if (payload_type && kept.contains(*payload_type)) continue;
    const std::optional<sip::SdpRtpMap> map = sip::parse_rtpmap(line.value.substr(std::string_view("rtpmap:").size()));
    if (map && wanted(map->encoding)) kept.insert(map->payload_type);
  }
  return kept;
}

// RFC 8445 §5.1.2.1 with type preference 126 (host), local preference 65535, component 1.
constexpr std::string_view kHostCandidatePriority = "2130706431";

// What an ICE-lite SBC adds to a media section with a port: its credentials and one host
// candidate at its address and the m= port. At most 74 bytes with the five-digit port, besides
// the credentials and the address.
constexpr std::size_t kIceLiteMediaLinesFixedSize = 74;
void put_ice_lite_media_lines(BoundedText& out, const IceCredentials& credentials, std::string_view address_text,
                              std::uint16_t port) {
  out.put("a=ice-ufrag:");
  out.put(credentials.ufrag);
  out.put("\r\na=ice-pwd:");
  out.put(credentials.pwd);
  out.put("\r\na=candidate:1 1 UDP ");
  out.put(kHostCandidatePriority);
  out.put(' ');
  out.put(address_text);
  out.put(' ');
  out.put_number(port);
  out.put(" typ host\r\n");
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
  const std::vector<sip::SdpLineView>& lines = split.value().lines;
  PayloadTypeSet kept;  // the current media section's
  const auto format_kept = [&kept](std::string_view format) {
    const std::optional<int> payload_type = sip::format_payload_type(format);
    return !payload_type || kept.contains(*payload_type);
  };
  BoundedText out(rewritten_size_bound(sdp, split.value(), connection_value_, 0));
  // False at session level and in a media section none of whose formats the trunk uses: that
  // one keeps all its codecs, since an m= line without formats is not SDP (RFC 4566 §5.14).
  bool filter_codecs = false;
  std::size_t media_index = 0;
  for (std::size_t index = 0; index < lines.size(); ++index) {
    const sip::SdpLineView& line = lines[index];
    if (line.type == 'm') {
      const sip::SdpMediaLine& media = split.value().media_lines[media_index++];
      std::size_t section_end = index + 1;
      while (section_end < lines.size() && lines[section_end].type != 'm') ++section_end;
      kept = trunk_payload_types(media, std::span(lines).subspan(index + 1, section_end - index - 1), trunk_codecs_);
      filter_codecs = false;
      sip::SdpWords formats(media.formats);
      for (std::string_view format; !filter_codecs && formats.next(format);) filter_codecs = format_kept(format);
      put_media_line_start(out, media, rtp_proto(media.proto));
      formats = sip::SdpWords(media.formats);
      for (std::string_view format; formats.next(format);) {
        if (filter_codecs && !format_kept(format)) continue;
        out.put(' ');
        out.put(format);
      }
      out.put("\r\n");
      continue;
    }
    // No ICE and no SRTP keys on the trunk: the carrier speaks plain RTP to the SBC's address.
    if (is_candidate_line(line) || is_ice_attribute(line) || is_crypto_line(line)) continue;
    if (line.type == 'o') {
      put_origin_line(out, line.value, connection_value_);
      continue;
    }
    if (filter_codecs && line.type == 'a') {
      const std::optional<int> payload_type = sip::codec_attribute_payload_type(line.value);
      if (payload_type && !kept.contains(*payload_type)) continue;
    }
    out.put_line(line.type, line.type == 'c' ? std::string_view(connection_value_) : line.value);
  }
  return std::move(out).finish();
}

std::optional<std::string> SdpRewriter::for_microsoft(std::string_view sdp,
                                                      const std::optional<IceCredentials>& ice_lite) const {
  const auto split = sip::split_sdp_lines(sdp);
  if (!split.ok()) return std::nullopt;
  const std::vector<sip::SdpMediaLine>& media_lines = split.value().media_lines;
  // SAVP is one byte longer than AVP; a crypto line per media section.
  std::size_t added = media_lines.size() * (1 + kCryptoLineSize);
  if (ice_lite) {
    const std::size_t per_media =
        kIceLiteMediaLinesFixedSize + ice_lite->ufrag.size() + ice_lite->pwd.size() + address_text_.size();
    added += std::string_view("a=ice-lite\r\n").size() + media_lines.size() * per_media;
  }
  BoundedText out(rewritten_size_bound(sdp, split.value(), connection_value_, added));
  // With ICE lite, the SBC's own ICE lines close the section they belong to: a=ice-lite the
  // session part, the credentials and candidate each media section with a port (a rejected
  // stream gets none, RFC 3264 §6).
  const sip::SdpMediaLine* media = nullptr;  // the current media section's m= line
  bool keyed = false;                         // it has an a=crypto line
  const std::uint64_t seed = key_seed(sdp);
  const auto close_section = [&] {
    // An RTP stream toward Microsoft is SRTP: keys for one that came without (RFC 4568 §9.1).
    if (media != nullptr && media->port != 0 && !keyed && media->proto.starts_with("RTP/")) {
      out.put(kCryptoPrefix);
      out.put(sip::sdes_inline_key(seed + static_cast<std::uint64_t>(media - media_lines.data())));
      out.put("\r\n");
    }
    if (!ice_lite) return;
    if (media == nullptr) {
      out.put("a=ice-lite\r\n");
    } else if (media->port != 0) {
      put_ice_lite_media_lines(out, *ice_lite, address_text_, media->port);
    }
  };
  for (const sip::SdpLineView& line : split.value().lines) {
    if (line.type == 'm') {
      close_section();
      media = media == nullptr ? media_lines.data() : media + 1;
      keyed = false;
      put_media_line_start(out, *media, srtp_proto(media->proto));
      sip::SdpWords formats(media->formats);
      for (std::string_view format; formats.next(format);) {
        out.put(' ');
        out.put(format);
      }
      out.put("\r\n");
      continue;
    }
    if (ice_lite && (is_candidate_line(line) || is_ice_attribute(line))) continue;
    if (line.type == 'o') {
      put_origin_line(out, line.value, connection_value_);
      continue;
    }
    keyed = keyed || (media != nullptr && is_crypto_line(line));
    out.put_line(line.type, line.type == 'c' ? std::string_view(connection_value_) : line.value);
  }
  close_section();
  return std::move(out).finish();
}

}  // namespace sbc
