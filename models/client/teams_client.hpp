#pragma once
// One Teams client (desktop, mobile, web, desk phone) of one user. It hears of inbound calls
// from the call controller and rings and answers on its own timing; it dials outbound calls
// when the experiment says so and hangs up after the holding time. Several calls may be up at
// once (a busy-hour workload does not wait for a user to be free).
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "models/client/client_signal.hpp"
#include "sim/core/actor.hpp"
#include "sim/core/time.hpp"

namespace client {

struct ClientBehaviour {
  sim::Time ring_after;                  // from hearing of the call to call progress
  std::optional<sim::Time> answer_after; // nullopt: rings, never answers
  // Send the client's SDP before answering (becomes a 183 in bypass mode; in non-bypass mode
  // the controller sends one 183 per call with the media processor's SDP on the first one).
  bool media_answer = true;
  sim::Time signalling_latency;          // one way, client to controller (HTTPS over the Internet)
};

// What the originator of an outbound call observes; the experiment's call records come from it.
class OutboundCallListener {
 public:
  virtual ~OutboundCallListener() = default;
  virtual void on_outbound_progress(std::uint64_t call, sim::Time at) = 0;  // first ringing
  virtual void on_outbound_answered(std::uint64_t call, sim::Time at) = 0;
  virtual void on_outbound_failed(std::uint64_t call, sim::Time at, const ClientSignal& failure) = 0;
  virtual void on_outbound_ended(std::uint64_t call, sim::Time at) = 0;
};

class TeamsClient : public sim::Actor {
 public:
  TeamsClient(sim::ActorContext context, ClientBehaviour behaviour, std::string sdp_address);

  // Outbound: the user dials `number` through `controller` now and hangs up `holding` after
  // the far end answers. `call` is the reference the controller will use in its answers.
  void dial(sim::ActorId controller, std::uint64_t call, std::string number, sim::Time holding,
            OutboundCallListener* listener);

  void on_receive(const sim::Delivery& delivery) override;
  std::size_t calls_in_progress() const { return calls_.size(); }

 private:
  enum class CallState : std::uint8_t { Ringing, Answered, Dialling, Connected };
  struct Call {
    CallState state = CallState::Ringing;
    sim::ActorId controller = 0;
    sim::TimerHandle progress_timer;
    sim::TimerHandle answer_timer;
    sim::TimerHandle hangup_timer;
    sim::Time holding;
    OutboundCallListener* listener = nullptr;
    bool progress_reported = false;
  };

  void on_incoming_call(sim::ActorId controller, const ClientSignal& signal);
  void on_outbound_answer(const ClientSignal& signal, Call& call);
  void signal(sim::ActorId controller, ClientSignal message);
  // A plain RFC 4566 offer/answer body, the same for every call of this client: written on first
  // use and kept (most of a large deployment's clients never ring).
  const std::string& session_description();

  ClientBehaviour behaviour_;
  std::string sdp_address_;
  std::string session_description_;  // empty until first used
  std::map<std::uint64_t, Call> calls_;  // ordered: never a hash order
};

}  // namespace client
