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

// Removes a=candidate, a=x-candidate-ipv6 (Microsoft's IPv6 candidates), a=remote-candidates and
// a=end-of-candidates everywhere. ice-ufrag/ice-pwd stay: they identify the ICE session.
void strip_ice_candidates(SessionDescription& sdp);
// Keeps only the listed payload types on every m= line, with their rtpmap, fmtp and rtcp-fb lines.
void keep_only_codecs(SessionDescription& sdp, std::span<const int> payload_types);
// Same, choosing by encoding name (case-insensitive: "PCMU", "telephone-event"); static payload
// types without an rtpmap (0 PCMU, 8 PCMA, 9 G722, 18 G729, 13 CN) are recognised too.
void keep_only_codec_names(SessionDescription& sdp, std::span<const std::string_view> names);

}  // namespace sip
