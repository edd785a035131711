#pragma once
// What one [[carrier]] of the topology file becomes: the PSTN side of one SBC's trunk. The runner
// fills this from TOML (models never read sim/config); check_carrier_settings says what the
// carrier cannot do yet, so the runner can report it before the run starts.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/time.hpp"
#include "sim/net/ip_address.hpp"
#include "sim/sip/transaction/timer_values.hpp"

namespace pstn {

// The default SIP port for UDP and TCP (RFC 3261 §19.1.2). Wire contract: the carrier listens on
// UDP 5060 at its IP, and the SBC's carrier trunk is UDP 5060 at the SBC's IP.
inline constexpr std::uint16_t kSipPort = 5060;

enum class TrunkTransport : std::uint8_t { Udp, Tcp, Tls };
std::string_view trunk_transport_name(TrunkTransport transport);  // "udp", "tcp", "tls"

struct CarrierSettings {
  net::IpAddress ip;                  // the carrier's signalling and media address
  net::SocketAddress sbc;             // the SBC's trunk address, e.g. 203.0.113.10:5060
  TrunkTransport transport = TrunkTransport::Udp;
  std::vector<std::string> numbers;   // E.164 numbers its phones answer ("+12065550100")
  // How its phones behave when a call reaches them (outbound calls, Teams → PSTN), both measured
  // from the INVITE's arrival. A phone that answers before it would ring never sends 180.
  sim::Time ring_after = sim::Time::from_seconds(2);
  sim::Time answer_after = sim::Time::from_seconds(5);
  sip::TimerValues timers;            // T1, T2, T4 of this host
};

// Why the carrier cannot run with these settings, or nullopt. `name` is the carrier's, for the
// message. Only UDP trunks exist so far; a number that is not E.164 ("+" and 1 to 15 digits,
// ITU-T E.164 §6) could never be called through Direct Routing.
std::optional<std::string> check_carrier_settings(std::string_view name, const CarrierSettings& settings);

}  // namespace pstn
