#pragma once
// The media processor Microsoft inserts on non-bypass calls (spec "Actors": "the media
// processor's SDP replaces the client's SDP in non-bypass mode"). It anchors the media of both
// sides, so the SBC sees the processor's address, ports and ICE credentials, never a client's.
// Only its session descriptions are modelled; no media flows in drsim.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace teams {

class MediaProcessor {
 public:
  explicit MediaProcessor(std::string address) : address_(std::move(address)) {}

  // The SDP offer for media session `session` (an outbound call): SRTP with G.722, G.711 and
  // telephone events. A pure function of the address and the session number, so runs stay
  // reproducible.
  std::string session_description(std::uint64_t session) const;
  // The answer to `offer` (an inbound call): the same, with only the codecs the offer has, under
  // the offer's payload type numbers (RFC 3264 §6.1).
  std::string answer(std::uint64_t session, std::string_view offer) const;
  // research/direct-routing-facts.md §1.3: media processors use ports 49152–53247 (non-bypass);
  // RTP takes an even port (RFC 3550 §11), so 2048 sessions fit before ports repeat.
  static std::uint16_t media_port(std::uint64_t session);
  const std::string& address() const { return address_; }

 private:
  // The SDP with `codecs`: (payload type, index of the codec in Microsoft's list) each.
  std::string describe(std::uint64_t session, const std::vector<std::pair<int, std::size_t>>& codecs) const;

  std::string address_;
};

}  // namespace teams
