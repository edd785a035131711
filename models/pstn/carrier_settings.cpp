#include "models/pstn/carrier_settings.hpp"

namespace pstn {
namespace {

// ITU-T E.164 §6: at most 15 digits; Direct Routing writes them with a leading "+".
bool is_e164(std::string_view number) {
  if (number.size() < 2 || number.size() > 16 || number.front() != '+') return false;
  for (const char digit : number.substr(1)) {
    if (digit < '0' || digit > '9') return false;
  }
  return true;
}

}  // namespace

std::string_view trunk_transport_name(TrunkTransport transport) {
  switch (transport) {
    case TrunkTransport::Udp: return "udp";
    case TrunkTransport::Tcp: return "tcp";
    case TrunkTransport::Tls: return "tls";
  }
  return "udp";
}

std::optional<std::string> check_carrier_settings(std::string_view name, const CarrierSettings& settings) {
  const std::string carrier = "carrier \"" + std::string(name) + "\": ";
  if (settings.transport != TrunkTransport::Udp) {
    return carrier + "transport \"" + std::string(trunk_transport_name(settings.transport)) +
           "\" is not supported yet; carriers speak SIP over \"udp\" only";
  }
  for (const std::string& number : settings.numbers) {
    if (!is_e164(number)) return carrier + "number \"" + number + "\" is not E.164 (\"+\" and 1 to 15 digits)";
  }
  if (settings.sbc.port == 0) return carrier + "its SBC trunk address has no port";
  return std::nullopt;
}

}  // namespace pstn
