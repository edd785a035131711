#pragma once
// The session descriptions a PSTN carrier's media gateway writes: G.711 µ-law and A-law (RFC 3551
// §4.5.14, static payload types 0 and 8) in 20 ms packets, and RFC 4733 telephone-event for DTMF.
// No ICE and no SRTP: a UDP trunk behind an SBC carries plain RTP, which is why the SBC strips
// the Teams side's candidates before it forwards an offer here (spec "SDP size").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/net/ip_address.hpp"
#include "sim/sip/sdp.hpp"

namespace pstn {

// Where one call's RTP goes, and the o= session id (RFC 4566 §5.2: any number unique to the
// originator; a counter keeps runs reproducible).
struct MediaEndpoint {
  net::IpAddress address;
  std::uint16_t port = 0;
  std::uint64_t session_id = 0;
};

// The carrier's offer, as SDP text: PCMU, PCMA and telephone-event 101 in 20 ms packets,
// sendrecv, on `local` (in an INVITE it places, or in the 2xx to an INVITE without an offer).
// `address_text` is local.address.text(), which the caller keeps.
std::string g711_offer_text(const MediaEndpoint& local, std::string_view address_text);

// RFC 3264 §6: the answer to `offer`, with one m= line per offered one. An audio stream with a
// G.711 codec is accepted with the first such codec in the offer's order (§6.1: the offerer's
// preference) plus telephone-event when offered, and the mirrored direction (§6.1); every other
// stream is refused with port 0. nullopt when no stream could be accepted: answer 488 (§6).
std::optional<sip::SessionDescription> make_g711_answer(const sip::SessionDescription& offer,
                                                        const MediaEndpoint& local);

}  // namespace pstn
