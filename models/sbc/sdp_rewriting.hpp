#pragma once
// What the SBC does to the SDP it relays between its two sides. Media is not modelled, so the
// SBC anchors it only on paper: each side sees the SBC's own address in c= (the ports stay as
// the far end offered them).
//
// Toward the UDP trunk the SDP is always shrunk, not only when the message would exceed the
// MTU (spec "SDP size", facts §3.5): a carrier does no ICE and speaks few codecs, so the
// candidates and the other codecs mean nothing to it, and stripping every time keeps the
// carrier's view of a call the same whatever Microsoft's SDP looked like.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/net/ip_address.hpp"

namespace sbc {

// RFC 8839 §5.4: an ice-ufrag of at least 4 characters and an ice-pwd of at least 22.
struct IceCredentials {
  std::string ufrag;
  std::string pwd;
};

// Both directions: c= and the address of o= name `media_address` (the SBC, a B2BUA, originates
// the session each side sees), and the SBC terminates SRTP: Microsoft's side is RTP/SAVP with
// SDES keys, the trunk's plain RTP/AVP.
//
// Toward the trunk: every ICE line (candidates, credentials, ice-lite, ice-options) and every
// a=crypto removed, RTP/SAVP(F) written RTP/AVP(F), every codec not in `trunk_codecs` (encoding
// names, "PCMU", "telephone-event") removed. A media section none of whose codecs the trunk
// uses keeps its codecs: an m= line with no format is not SDP (RFC 4566 §5.14). nullopt when
// `sdp` does not parse.
std::optional<std::string> sdp_for_trunk(std::string_view sdp, const net::IpAddress& media_address,
                                         std::span<const std::string> trunk_codecs);

// Toward Microsoft: RTP/AVP(F) written RTP/SAVP(F), and an RTP section with a port and no
// a=crypto gets one (AES_CM_128_HMAC_SHA1_80, a key that is a pure function of the body,
// RFC 4568 §9.1), after its other lines. With `ice_lite` (media bypass), the SBC offers
// itself as an ICE-lite peer, as Direct Routing requires of bypass SBCs (RFC 8445 §2.5):
// a=ice-lite at session level, and in every media section with a port its credentials and one
// host candidate at `media_address` and the m= port. nullopt when `sdp` does not parse.
std::optional<std::string> sdp_for_microsoft(std::string_view sdp, const net::IpAddress& media_address,
                                             const std::optional<IceCredentials>& ice_lite);

// The two rewritings for one SBC, with what every message shares worked out once (the address
// text and its c= value): formatting an address costs more than the rest of a small rewrite.
// Same results as the functions above.
class SdpRewriter {
 public:
  SdpRewriter(const net::IpAddress& media_address, std::span<const std::string> trunk_codecs);

  std::optional<std::string> for_trunk(std::string_view sdp) const;
  std::optional<std::string> for_microsoft(std::string_view sdp, const std::optional<IceCredentials>& ice_lite) const;

 private:
  std::string address_text_;      // media_address.text()
  std::string connection_value_;  // "IN IP4 <address>" (RFC 4566 §5.7)
  std::vector<std::string> trunk_codecs_;
};

}  // namespace sbc
