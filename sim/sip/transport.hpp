#pragma once
// sip::Transport: how the transaction layer reaches the network (RFC 3261 §18), declared here
// and implemented by sim/net, so SIP never includes the network (DESIGN.md layer order).
//
// One object stands for one flow toward one peer: a UDP destination (address, port), or one
// TCP or TLS connection. A client transaction sends its request and retransmissions on the
// flow its TU chose (§8.1.2, §18.1.1); a server transaction answers on the flow its request
// arrived on (§18.2.2). The owner of a transaction keeps the flow alive at least as long as
// the transaction, or reports it failed (the transaction's on_transport_error()) first.
#include "sim/sip/message.hpp"

namespace sip {

class Transport {
 public:
  virtual ~Transport() = default;

  // True for TCP and TLS, false for UDP. Reliable flows get no SIP-level retransmissions
  // (Timers A, E and G never run) and Timers D, I, J and K are zero (§17.1.1.2, §17.2.1).
  virtual bool reliable() const = 0;

  // Hands one message to the network, which serializes it to bytes (DESIGN.md "SIP is real").
  // Failures are not returned: on a simulated network they happen later (a refused
  // connection, a failed TLS handshake), and the flow's owner reports them to the
  // transactions that used it (§17.1.4, §17.2.4).
  virtual void send(const Message& message) = 0;
};

}  // namespace sip
