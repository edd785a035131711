#pragma once
// The media processor Microsoft inserts on non-bypass calls (spec "Actors": "the media
// processor's SDP replaces the client's SDP in non-bypass mode"). It anchors the media of both
// sides, so the SBC sees the processor's address, ports and ICE credentials, never a client's.
// Only its session descriptions are modelled; no media flows in drsim.
#include <cstdint>
#include <string>

namespace teams {

class MediaProcessor {
 public:
  explicit MediaProcessor(std::string address) : address_(std::move(address)) {}

  // The SDP for media session `session`: the offer of an outbound call, the answer of an inbound
  // one. A pure function of the address and the session number, so runs stay reproducible.
  std::string session_description(std::uint64_t session) const;
  // research/direct-routing-facts.md §1.3: media processors use ports 49152–53247 (non-bypass);
  // RTP takes an even port (RFC 3550 §11), so 2048 sessions fit before ports repeat.
  static std::uint16_t media_port(std::uint64_t session);
  const std::string& address() const { return address_; }

 private:
  std::string address_;
};

}  // namespace teams
