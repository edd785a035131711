#pragma once
// The simulation: the clock, the actors, the future event set, the fingerprint. Events run in
// (time, insertion sequence) order; handlers schedule more events; nothing here reads a wall
// clock, draws unnamed randomness or prints (observers watch, they never steer).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <new>
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
    void* memory = actor_arena_.allocate(sizeof(ActorType), alignof(ActorType));
    auto* actor = new (memory) ActorType(ActorContext{*this, id, std::move(name)}, std::forward<Arguments>(arguments)...);
    adopt(OwnedActor(actor));
    return *actor;
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

  // Actors sit densely in creation order in a few large blocks rather than one heap allocation
  // each: an event for a random actor among 100,000 then touches one cache line of a compact
  // range instead of a scattered, padded allocation.
  class ActorArena {
   public:
    ActorArena() = default;
    ActorArena(const ActorArena&) = delete;
    ActorArena& operator=(const ActorArena&) = delete;
    ~ActorArena();
    void* allocate(std::size_t size, std::size_t alignment);

   private:
    static constexpr std::size_t kBlockSize = std::size_t{1} << 20;
    static constexpr std::size_t kBlockAlignment = 64;
    std::vector<std::byte*> blocks_;
    std::byte* free_ = nullptr;
    std::size_t left_ = 0;  // bytes from free_ to the end of the newest block
  };
  // Ends an actor's life without freeing its memory: the arena owns that.
  struct DestroyActor {
    void operator()(Actor* actor) const { actor->~Actor(); }
  };
  using OwnedActor = std::unique_ptr<Actor, DestroyActor>;

  // A timer slot's hot state is one 32-bit stamp: its state in the low bits, whether its
  // callback owns resources, then a generation counted up at each arming. Cancel and the
  // stale-entry check touch only this dense array, 16 slots a cache line; the callbacks (a line
  // each) are touched to arm, to fire and to cancel one that owns resources.
  enum TimerState : std::uint32_t { kTimerFree = 0, kTimerArmed = 1, kTimerFiring = 2, kTimerCancelled = 3 };
  static constexpr std::uint32_t kTimerStateMask = 3;
  static constexpr std::uint32_t kTimerOwnsResources = 4;
  static constexpr std::uint32_t kTimerGenerationStep = 8;
  static constexpr std::uint32_t kTimerGenerationMask = ~(kTimerGenerationStep - 1);

  // How many events ahead the run loop requests actors' table entries (and half as many ahead
  // the actors themselves): far enough for a memory load to arrive in time.
  static constexpr std::size_t kPrefetchAhead = 8;

  ActorId reserve_actor_id(const std::string& name);
  void adopt(OwnedActor actor);
  void start_actors();
  RunResult run_loop(std::int64_t end, bool advance_clock_to_end);
  void dispatch(const QueuedEvent& event);
  void dispatch_delivery(const QueuedEvent& event);
  void dispatch_timer(const QueuedEvent& event);
  void cancel_timer(std::uint32_t slot, std::uint32_t armed_stamp);
  bool timer_pending(std::uint32_t slot, std::uint32_t armed_stamp) const { return timer_stamps_[slot] == armed_stamp; }
  void free_timer(std::uint32_t slot) {
    timer_stamps_[slot] = (timer_stamps_[slot] & kTimerGenerationMask) | kTimerFree;
    free_timers_.push_back(slot);
  }

  std::uint64_t seed_;
  std::int64_t now_ = 0;
  bool started_ = false;
  bool stop_requested_ = false;
  std::uint64_t events_executed_ = 0;
  EventQueue queue_;
  Fingerprint fingerprint_;
  ActorArena actor_arena_;  // declared before actors_: outlives them
  std::vector<OwnedActor> actors_;
  std::map<std::string, ActorId, std::less<>> actor_ids_;  // ordered: never a hash order
  std::vector<const std::string*> names_;                  // by id; points at actor_ids_ keys
  std::vector<Delivery> deliveries_;                       // payloads of queued deliveries
  std::vector<std::uint32_t> free_deliveries_;
  std::vector<std::uint32_t> timer_stamps_;     // by timer slot
  std::vector<TimerCallback> timer_callbacks_;  // by timer slot
  std::vector<std::uint32_t> free_timers_;      // last freed first
  std::function<bool()> stop_condition_;
  std::vector<DeliveryObserver*> observers_;
};

}  // namespace sim
