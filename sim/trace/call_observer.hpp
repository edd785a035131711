#pragma once
// How the models tell the experiment what happened to each call, so calls.csv can be built
// without any model reading another's state. Every model reports about the legs it handles,
// named by a leg id: the SIP Call-ID of that leg, or "client:<actor name>:<call reference>"
// for a Teams client's signalling leg. An element that bridges two legs (the SBC between the
// carrier and Microsoft, the proxy between a client and the SBC) says so with legs_joined, and
// the recorder follows those joins back to the leg the call started on. Observing must not
// steer: implementations only record.
#include <cstdint>
#include <optional>
#include <string_view>

#include "sim/core/time.hpp"
#include "sim/trace/call_record_writer.hpp"

namespace trace {

class CallObserver {
 public:
  virtual ~CallObserver() = default;
  // The originator (the carrier for inbound calls, the Teams client for outbound ones) starts
  // call number `call_number` of the experiment (scripted calls 1, 2, ...; workload calls after).
  virtual void call_started(std::string_view leg, std::uint64_t call_number, CallDirection direction,
                            std::string_view from, std::string_view to, sim::Time at) = 0;
  // `later` belongs to the same call as `earlier` (the leg closer to the originator).
  virtual void legs_joined(std::string_view earlier, std::string_view later) = 0;
  // Whether to join the client legs an inbound call forks to (the proxy's legs to each Teams
  // endpoint). Only the traces (pcap, events, ladders) look them up, to put client signals on
  // their call; calls.csv never does, and in a busy hour they were three of a call's five legs.
  virtual bool wants_client_legs() const { return true; }
  // Microsoft's proxy of `datacenter` handled the call (the last one reported wins).
  virtual void datacenter_used(std::string_view leg, std::string_view datacenter) = 0;
  // The SBC or Microsoft moved the call to another datacenter or SBC.
  virtual void failed_over(std::string_view leg, sim::Time at) = 0;
  // An endpoint answered: `answered_by` is its kind ("desktop") or empty on the PSTN side.
  virtual void answered(std::string_view leg, std::string_view answered_by, sim::Time at) = 0;
  // The final answer the originator saw: the SIP code, Microsoft's code and phrase if any.
  virtual void final_response(std::string_view leg, int sip_code, std::optional<std::uint32_t> ms_code,
                              std::string_view phrase, sim::Time at) = 0;
  virtual void ended(std::string_view leg, sim::Time at) = 0;
};

}  // namespace trace
