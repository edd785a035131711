#pragma once
// SDP (RFC 4566) with the ICE attributes of RFC 8839 (RFC 5245 §15). Every line is kept in
// order, so parse then serialize gives the same bytes (modulo line ends, which become CRLF);
// typed views are computed from the lines on demand. The SBC uses the helpers at the bottom to
// fit a message into a 1500-byte UDP MTU (spec: "strip ICE candidates, unused codecs").
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/result.hpp"

namespace sip {

struct SdpLine {
  char type = 'a';
  std::string value;  // everything after "x="
  friend bool operator==(const SdpLine&, const SdpLine&) = default;
};

struct SdpError {
  int line = 0;  // 1-based line of the SDP body
  std::string reason;
};

enum class MediaDirection : std::uint8_t { SendRecv, SendOnly, RecvOnly, Inactive };

struct SdpOrigin {  // o= (RFC 4566 §5.2)
  std::string_view username, session_id, session_version, net_type, address_type, address;
};
struct SdpConnection {  // c= (§5.7)
  std::string_view net_type, address_type, address;
};
struct SdpRtpMap {  // a=rtpmap:<pt> <encoding>/<clock>[/<channels>]  (§6)
  int payload_type = -1;
  std::string_view encoding;
  std::uint32_t clock_rate = 0;
  std::string_view channels;
};
struct SdpCandidate {  // a=candidate (RFC 8839 §5.1)
  std::string_view foundation;
  std::uint32_t component = 0;
  std::string_view transport;
  std::uint64_t priority = 0;
  std::string_view address;
  std::uint16_t port = 0;
  std::string_view type;  // host, srflx, prflx, relay
  std::string_view related_address;
  std::optional<std::uint16_t> related_port;
};

// Typed reads over a list of lines (session level or one media section).
class SdpSection {
 public:
  std::vector<SdpLine> lines;

  std::vector<std::string_view> attributes(std::string_view name) const;  // values of a=name:...
  bool has_attribute(std::string_view name) const;
  std::optional<SdpConnection> connection() const;
  std::optional<MediaDirection> direction() const;  // nullopt when no direction attribute
  std::optional<std::string_view> ice_ufrag() const;
  std::optional<std::string_view> ice_pwd() const;
  std::vector<SdpRtpMap> rtpmaps() const;
  std::optional<std::string_view> fmtp(int payload_type) const;
  sim::Result<std::vector<SdpCandidate>, std::string> candidates() const;
  std::vector<std::string_view> bandwidths() const;  // b= values
};

struct MediaDescription : SdpSection {
  std::string media;  // audio, video, ...
  std::uint16_t port = 0;
  std::optional<std::uint16_t> port_count;
  std::string proto;                 // RTP/AVP, RTP/SAVP, ...
  std::vector<std::string> formats;  // payload types as written
  // Direction in force: the media section's, else the session's, else sendrecv (RFC 4566 §6).
  friend bool operator==(const MediaDescription& a, const MediaDescription& b) {
    return a.lines == b.lines && a.media == b.media && a.port == b.port &&
           a.port_count == b.port_count && a.proto == b.proto && a.formats == b.formats;
  }
};

struct SessionDescription : SdpSection {
  std::vector<MediaDescription> media;

  std::optional<SdpOrigin> origin() const;
  std::optional<std::string_view> session_name() const;
  MediaDirection effective_direction(std::size_t media_index) const;
  friend bool operator==(const SessionDescription& a, const SessionDescription& b) {
    return a.lines == b.lines && a.media == b.media;
  }
};

sim::Result<SessionDescription, SdpError> parse_sdp(std::string_view text);
std::string serialize_sdp(const SessionDescription& sdp);

// ---- The same body without copying it ----------------------------------------------------------
// Views into the text, for code that only drops or replaces whole lines (the SBC's rewritings,
// models/sbc/sdp_rewriting) and so need not pay a string per line. parse_sdp is built on these,
// so both read a body by the same rules.

struct SdpLineView {
  char type = 'a';
  std::string_view value;  // everything after "x=", without the line end
};

// m=<media> <port>[/<number of ports>] <proto> <fmt> ...  (RFC 4566 §5.14)
struct SdpMediaLine {
  std::string_view media;
  std::uint16_t port = 0;
  std::optional<std::uint16_t> port_count;
  std::string_view proto;
  std::string_view formats;  // the <fmt> list as written; read it with SdpWords
};

// The words of a space-separated SDP field list, one at a time; runs of spaces separate as one.
class SdpWords {
 public:
  explicit SdpWords(std::string_view text) : rest_(text) {}
  bool next(std::string_view& word);  // false when no word is left

 private:
  std::string_view rest_;
};

// The value of an m= line; the error is the reason parse_sdp gives.
sim::Result<SdpMediaLine, std::string_view> parse_media_line(std::string_view value);

struct SdpLineViews {
  std::vector<SdpLineView> lines;          // every line, in order, m= lines included
  std::vector<SdpMediaLine> media_lines;   // the m= lines parsed, in the same order
};
// The lines of `text`, checked as parse_sdp checks them; a trailing empty line is dropped.
sim::Result<SdpLineViews, SdpError> split_sdp_lines(std::string_view text);

// Whether the value of an a= line is attribute `name`: "name" (a flag attribute, RFC 4566
// §5.13) or "name:<value>". `name` has no colon.
inline bool is_sdp_attribute(std::string_view line_value, std::string_view name) {
  return line_value.starts_with(name) && (line_value.size() == name.size() || line_value[name.size()] == ':');
}

// The rules strip_ice_candidates and keep_only_codec_names apply to each line, for code that
// applies them to SdpLineViews.

// a=candidate, a=x-candidate-ipv6 (Microsoft's IPv6 candidates), a=remote-candidates or
// a=end-of-candidates; `line_value` is the a= line's value.
inline bool is_ice_candidate_attribute(std::string_view line_value) {
  return is_sdp_attribute(line_value, "candidate") || is_sdp_attribute(line_value, "x-candidate-ipv6") ||
         is_sdp_attribute(line_value, "remote-candidates") || is_sdp_attribute(line_value, "end-of-candidates");
}
// What follows "a=rtpmap:" (RFC 4566 §6): "<pt> <encoding>/<clock>[/<channels>]"; nullopt when
// the payload type or the clock rate is not a number.
std::optional<SdpRtpMap> parse_rtpmap(std::string_view attribute_value);
// RFC 3551 §6 table 4: the encoding of a static payload type ("PCMU" for 0), or "" if unknown.
std::string_view static_payload_encoding(int payload_type);
// A format of an m= line as a number; nullopt for one that is not ("*", "webrtc-datachannel").
std::optional<int> format_payload_type(std::string_view format);
// The payload type an a=rtpmap, a=fmtp or a=rtcp-fb line is for; nullopt for any other line and
// for "a=rtcp-fb:* ...", which is for all of them.
std::optional<int> codec_attribute_payload_type(std::string_view line_value);

// Removes a=candidate, a=x-candidate-ipv6 (Microsoft's IPv6 candidates), a=remote-candidates and
// a=end-of-candidates everywhere. ice-ufrag/ice-pwd stay: they identify the ICE session.
void strip_ice_candidates(SessionDescription& sdp);
// Keeps only the listed payload types on every m= line, with their rtpmap, fmtp and rtcp-fb lines.
void keep_only_codecs(SessionDescription& sdp, std::span<const int> payload_types);
// Same, choosing by encoding name (case-insensitive: "PCMU", "telephone-event"); static payload
// types without an rtpmap (0 PCMU, 8 PCMA, 9 G722, 18 G729, 13 CN) are recognised too. Each m=
// section keeps the payload types its own rtpmaps name: 96 may be telephone-event in one and
// opus in the next.
void keep_only_codec_names(SessionDescription& sdp, std::span<const std::string_view> names);

// An SRTP master key and salt for SDES (a=crypto ... inline:<key>, RFC 4568 §6.1): 30 bytes
// as 40 base64 characters, a pure function of `seed` (no media flows in drsim).
std::string sdes_inline_key(std::uint64_t seed);

}  // namespace sip
