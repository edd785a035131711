#pragma once
// The SBC's own SIP faults (spec/experiment-format.md fault kinds): sbc_invalid_sip, an SBC
// whose messages lack "SIP/2.0" (Microsoft: 549002 "Invalid request/response"), and
// sbc_malformed_sip, an SBC whose messages break the grammar (549018 / 569018). The serializer
// only writes valid SIP, so the SBC serializes as usual and corrupts the bytes on their way to
// the connection. Only the Microsoft side is affected: that is where the spec's codes arise.
#include <cstdint>
#include <string>

#include "sim/net/tcp_transport.hpp"
#include "sim/sip/transport.hpp"

namespace sbc {

enum class SipCorruption : std::uint8_t {
  None,
  MissingVersion,  // sbc_invalid_sip: the start line carries no SIP-Version
  Malformed,       // sbc_malformed_sip: the CSeq header loses its sequence number
};

// `bytes` as the faulty SBC would write them: one serialized SIP message.
std::string corrupt_sip(std::string bytes, SipCorruption corruption);

// The SBC's flow on one TLS connection to or from Microsoft: like net::StreamSipTransport, but
// the bytes pass through corrupt_sip with the SBC's current fault. The SBC reports the flow
// failed itself when the connection ends (net::SipEndpoint does so only for its own flows).
class MicrosoftFlow final : public sip::Transport {
 public:
  MicrosoftFlow(net::TcpTransport& tcp, net::ConnectionId connection, const SipCorruption& corruption)
      : tcp_(tcp), connection_(connection), corruption_(corruption) {}
  bool reliable() const override { return true; }
  void send(const sip::Message& message) override;
  net::ConnectionId connection() const { return connection_; }

 private:
  net::TcpTransport& tcp_;
  net::ConnectionId connection_;
  const SipCorruption& corruption_;  // the SBC's, read at every send
};

}  // namespace sbc
