#pragma once
// Actors are event handlers, not threads: a model overrides the on_* methods it needs and
// keeps its state in members. Names come from configuration and are stable; ids are dense,
// given in creation (file) order.
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/core/rng.hpp"
#include "sim/core/time.hpp"
#include "sim/core/timer.hpp"

namespace sim {

class Simulation;

using ActorId = std::uint32_t;

// Bytes handed from one actor to another. `channel` is the sender's label for the path the
// bytes took (the network layer puts a connection or socket id there); the kernel only carries it.
struct Delivery {
  ActorId source = 0;
  std::uint64_t channel = 0;
  std::string payload;
};

struct ActorContext {
  Simulation& simulation;
  ActorId id;
  std::string name;
};

// Aligned to a cache line and kept small (the name lives in the Simulation): dispatching an
// event to a random actor among 100,000 then costs one cache miss, not two.
class alignas(64) Actor {
 public:
  explicit Actor(ActorContext context);
  virtual ~Actor() = default;
  Actor(const Actor&) = delete;
  Actor& operator=(const Actor&) = delete;

  const std::string& name() const;
  ActorId id() const { return id_; }
  Simulation& simulation() const { return simulation_; }
  Time now() const;

  // Called once, in creation order, when the simulation starts (or when the actor is added
  // to a running simulation).
  virtual void on_start() {}
  // A tagged event from post(): the cheapest event there is.
  virtual void on_event(std::uint32_t tag);
  // Bytes from another actor (or from itself).
  virtual void on_receive(const Delivery& delivery);

 protected:
  // rng(seed, name(), stream_name): the only way an actor gets randomness.
  RandomStream random_stream(std::string_view stream_name) const;
  TimerHandle start_timer(Time delay, TimerCallback callback);
  void post(ActorId target, Time delay, std::uint32_t tag);
  void send(ActorId target, Time delay, std::string payload, std::uint64_t channel = 0);

 private:
  Simulation& simulation_;
  ActorId id_;
};

}  // namespace sim
