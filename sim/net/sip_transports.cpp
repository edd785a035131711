#include "sim/net/sip_transports.hpp"

#include "sim/sip/serializer.hpp"

namespace net {

void DatagramSipTransport::send(const sip::Message& message) { udp_.send(channel_, sip::serialize(message)); }

void StreamSipTransport::send(const sip::Message& message) {
  // A false return means the connection cannot send; sip/transport.hpp leaves that to the owner.
  tcp_.send(connection_, sip::serialize(message));
}

}  // namespace net
