#pragma once
// The simulation: the clock, the actors, the future event set, the fingerprint. Events run in
// (time, insertion sequence) order; handlers schedule more events; nothing here reads a wall
// clock, draws unnamed randomness or prints (observers watch, they never steer).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/core/actor.hpp"
#include "sim/core/check.hpp"
#include "sim/core/event_queue.hpp"
#include "sim/core/fingerprint.hpp"
#include "sim/core/rng.hpp"
#include "sim/core/time.hpp"
#include "sim/core/timer.hpp"

namespace sim {

// Sees every delivery after its handler ran (trace writers, pcap, ladders). An observer must
// not schedule events, draw random numbers or touch models: outputs on or off give the same
// fingerprint.
class DeliveryObserver {
 public:
  virtual ~DeliveryObserver() = default;
  virtual void on_delivery(Time time, const Actor& destination, const Delivery& delivery) = 0;
};

enum class StopReason { QueueEmpty, TimeLimit, StopRequested };

struct RunResult {
  std::uint64_t events = 0;  // events executed by this call
  Time now;
  StopReason reason = StopReason::QueueEmpty;
};

class Simulation {
 public:
  explicit Simulation(std::uint64_t seed);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  std::uint64_t seed() const { return seed_; }
  Time now() const { return Time::from_nanoseconds(now_); }

  // ---- actors, created in configuration order; names are unique and stable
  template <class ActorType, class... Arguments>
  ActorType& add_actor(std::string name, Arguments&&... arguments) {
    const ActorId id = reserve_actor_id(name);
    auto actor = std::make_unique<ActorType>(ActorContext{*this, id, std::move(name)}, std::forward<Arguments>(arguments)...);
    ActorType& added = *actor;
    adopt(std::move(actor));
    return added;
  }
  Actor& actor(ActorId id) const {
    DRSIM_CHECK(id < actors_.size(), "unknown actor id");
    return *actors_[id];
  }
  Actor* find_actor(std::string_view name) const;
  const std::string& actor_name(ActorId id) const {
    DRSIM_CHECK(id < names_.size(), "unknown actor id");
    return *names_[id];
  }
  std::size_t actor_count() const { return actors_.size(); }

  // ---- scheduling; `at` is absolute and never in the past
  static constexpr std::uint32_t kTagLimit = 1u << 30;
  void post(Time at, ActorId target, std::uint32_t tag) {
    DRSIM_CHECK(at.nanoseconds() >= now_, "event scheduled in the past");
    DRSIM_CHECK(target < actors_.size(), "event for an unknown actor");
    DRSIM_CHECK(tag < kTagLimit, "post() tag needs more than 30 bits");
    queue_.push(at.nanoseconds(), target, tag | kPostKind);
  }
  void deliver(Time at, ActorId target, Delivery delivery);
  TimerHandle schedule_timer(Time at, ActorId owner, TimerCallback callback);

  // ---- running
  // Runs until no event is left.
  RunResult run();
  // Runs every event strictly before `end`, then sets the clock to `end`; events at `end`
  // stay queued for the next call, so consecutive calls split a run without changing it.
  RunResult run_until(Time end);
  // From a handler: stop after the current event.
  void request_stop() { stop_requested_ = true; }
  // Checked after every event; the run stops when it returns true.
  void set_stop_condition(std::function<bool()> condition) { stop_condition_ = std::move(condition); }

  std::uint64_t events_executed() const { return events_executed_; }
  std::size_t pending_events() const { return queue_.size(); }
  std::uint64_t fingerprint() const { return fingerprint_.value(); }
  RandomStream random_stream(std::string_view actor_name, std::string_view stream_name) const {
    return RandomStream(seed_, actor_name, stream_name);
  }
  void add_observer(DeliveryObserver& observer) { observers_.push_back(&observer); }
  // Capacity hint for runs that know their peak number of pending events.
  void reserve_events(std::size_t events) { queue_.reserve(events); }

 private:
  friend class TimerHandle;
  static constexpr std::uint32_t kKindShift = 30;
  static constexpr std::uint32_t kPostKind = 0u << kKindShift;
  static constexpr std::uint32_t kDeliveryKind = 1u << kKindShift;
  static constexpr std::uint32_t kTimerKind = 2u << kKindShift;
  static constexpr std::uint32_t kSlotMask = (1u << kKindShift) - 1;

  enum class TimerState : std::uint8_t { Free, Armed, Firing, Cancelled };
  struct TimerSlot {
    TimerCallback callback;
    std::uint32_t generation = 0;
    std::uint32_t next_free = 0;
    TimerState state = TimerState::Free;
  };

  ActorId reserve_actor_id(const std::string& name);
  void adopt(std::unique_ptr<Actor> actor);
  void start_actors();
  RunResult run_loop(std::int64_t end, bool advance_clock_to_end);
  void dispatch(const QueuedEvent& event);
  void dispatch_delivery(const QueuedEvent& event);
  void dispatch_timer(const QueuedEvent& event);
  void cancel_timer(std::uint32_t slot, std::uint32_t generation);
  bool timer_pending(std::uint32_t slot, std::uint32_t generation) const;

  std::uint64_t seed_;
  std::int64_t now_ = 0;
  bool started_ = false;
  bool stop_requested_ = false;
  std::uint64_t events_executed_ = 0;
  EventQueue queue_;
  Fingerprint fingerprint_;
  std::vector<std::unique_ptr<Actor>> actors_;
  std::map<std::string, ActorId, std::less<>> actor_ids_;  // ordered: never a hash order
  std::vector<const std::string*> names_;                  // by id; points at actor_ids_ keys
  std::vector<Delivery> deliveries_;                       // payloads of queued deliveries
  std::vector<std::uint32_t> free_deliveries_;
  std::vector<TimerSlot> timers_;
  static constexpr std::uint32_t kNoFreeTimer = ~0u;
  std::uint32_t first_free_timer_ = kNoFreeTimer;
  std::function<bool()> stop_condition_;
  std::vector<DeliveryObserver*> observers_;
};

}  // namespace sim
