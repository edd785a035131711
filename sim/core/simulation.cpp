#include "sim/core/simulation.hpp"

namespace sim {

Simulation::Simulation(std::uint64_t seed) : seed_(seed) {}

Simulation::~Simulation() {
  // Newest first, while the timer table still exists: actors' handles cancel into it.
  while (!actors_.empty()) actors_.pop_back();
}

Actor* Simulation::find_actor(std::string_view name) const {
  const auto found = actor_ids_.find(name);
  return found == actor_ids_.end() ? nullptr : actors_[found->second].get();
}

ActorId Simulation::reserve_actor_id(const std::string& name) {
  DRSIM_CHECK(!name.empty(), "actor without a name");
  DRSIM_CHECK(actor_ids_.find(name) == actor_ids_.end(), "two actors with the same name");
  DRSIM_CHECK(actors_.size() < kSlotMask, "too many actors");
  const auto id = static_cast<ActorId>(actors_.size());
  names_.push_back(&actor_ids_.emplace(name, id).first->first);
  return id;
}

Simulation::ActorArena::~ActorArena() {
  for (std::byte* block : blocks_) ::operator delete(block, std::align_val_t{kBlockAlignment});
}

void* Simulation::ActorArena::allocate(std::size_t size, std::size_t alignment) {
  DRSIM_CHECK(alignment <= kBlockAlignment, "actor alignment beyond a cache line");
  const std::size_t padding = (alignment - reinterpret_cast<std::uintptr_t>(free_) % alignment) % alignment;
  if (free_ == nullptr || padding + size > left_) {
    const std::size_t block_size = size > kBlockSize ? size : kBlockSize;
    blocks_.reserve(blocks_.size() + 1);
    free_ = static_cast<std::byte*>(::operator new(block_size, std::align_val_t{kBlockAlignment}));
    blocks_.push_back(free_);
    left_ = block_size;
  } else {
    free_ += padding;
    left_ -= padding;
  }
  void* memory = free_;
  free_ += size;
  left_ -= size;
  return memory;
}

void Simulation::adopt(OwnedActor actor) {
  DRSIM_CHECK(actor->id() == actors_.size(), "actors must be adopted in id order");
  actors_.push_back(std::move(actor));
  if (started_) actors_.back()->on_start();
}

void Simulation::start_actors() {
  if (started_) return;
  started_ = true;
  // Index loop: on_start may add actors, which start themselves in adopt().
  const std::size_t count = actors_.size();
  for (std::size_t id = 0; id < count; ++id) actors_[id]->on_start();
}

void Simulation::deliver(Time at, ActorId target, Delivery delivery) {
  DRSIM_CHECK(at.nanoseconds() >= now_, "delivery scheduled in the past");
  DRSIM_CHECK(target < actors_.size(), "delivery to an unknown actor");
  std::uint32_t slot;
  if (!free_deliveries_.empty()) {
    slot = free_deliveries_.back();
    free_deliveries_.pop_back();
    deliveries_[slot] = std::move(delivery);
  } else {
    DRSIM_CHECK(deliveries_.size() < kSlotMask, "too many deliveries in flight");
    slot = static_cast<std::uint32_t>(deliveries_.size());
    deliveries_.push_back(std::move(delivery));
  }
  queue_.push(at.nanoseconds(), target, slot | kDeliveryKind);
}

TimerHandle Simulation::schedule_timer(Time at, ActorId owner, TimerCallback callback) {
  DRSIM_CHECK(at.nanoseconds() >= now_, "timer scheduled in the past");
  DRSIM_CHECK(owner < actors_.size(), "timer for an unknown actor");
  DRSIM_CHECK(callback != nullptr, "timer without a callback");
  std::uint32_t slot;
  if (!free_timers_.empty()) {
    slot = free_timers_.back();
    free_timers_.pop_back();
  } else {
    DRSIM_CHECK(timer_stamps_.size() < kSlotMask, "too many timers");
    slot = static_cast<std::uint32_t>(timer_stamps_.size());
    timer_stamps_.push_back(kTimerFree);
    timer_callbacks_.emplace_back();
  }
  // A new generation: handles to this slot's earlier timers stop matching.
  const std::uint32_t armed_stamp = ((timer_stamps_[slot] & kTimerGenerationMask) + kTimerGenerationStep) |
                                    (callback.owns_resources() ? kTimerOwnsResources : 0) | kTimerArmed;
  timer_stamps_[slot] = armed_stamp;
  timer_callbacks_[slot] = std::move(callback);
  queue_.push(at.nanoseconds(), owner, slot | kTimerKind);
  return TimerHandle(this, slot, armed_stamp);
}

void Simulation::cancel_timer(std::uint32_t slot, std::uint32_t armed_stamp) {
  if (timer_stamps_[slot] != armed_stamp) return;  // fired, firing, cancelled or a newer timer
  // The queue entry stays and is dropped when it surfaces; the slot is recycled only then,
  // so a stale entry can never fire a newer timer. A callback that owns nothing is left to be
  // overwritten: dropping it now would only cost a cache miss.
  timer_stamps_[slot] = (armed_stamp & ~kTimerStateMask) | kTimerCancelled;
  if (armed_stamp & kTimerOwnsResources) timer_callbacks_[slot] = nullptr;
}

void TimerHandle::cancel() {
  if (simulation_ == nullptr) return;
  simulation_->cancel_timer(slot_, armed_stamp_);
  simulation_ = nullptr;
}

bool TimerHandle::pending() const {
  return simulation_ != nullptr && simulation_->timer_pending(slot_, armed_stamp_);
}

// Inline into the run loop: a posted event (the PHOLD kind) then costs no call of its own, and
// it is tested first, so it also costs one test of the kind bits rather than a switch's three.
inline void Simulation::dispatch(const QueuedEvent& event) {
  if ((event.argument & ~kSlotMask) == kPostKind) [[likely]] {
    ++events_executed_;
    fingerprint_.add_tag(event.time, event.target, event.argument);
    actors_[event.target]->on_event(event.argument);
    return;
  }
  switch (event.argument & ~kSlotMask) {
    case kDeliveryKind:
      dispatch_delivery(event);
      return;
    case kTimerKind:
      dispatch_timer(event);
      return;
    default:
      DRSIM_CHECK(false, "corrupt event kind");
  }
}

RunResult Simulation::run() { return run_loop(Time::max().nanoseconds(), false); }

RunResult Simulation::run_until(Time end) {
  DRSIM_CHECK(end.nanoseconds() >= now_, "run_until() a time in the past");
  return run_loop(end.nanoseconds(), true);
}

RunResult Simulation::run_loop(std::int64_t end, bool advance_clock_to_end) {
  start_actors();
  stop_requested_ = false;
  const std::uint64_t executed_before = events_executed_;
  RunResult result;
  result.reason = StopReason::QueueEmpty;
  while (!queue_.empty()) {
    if (queue_.top().time >= end) {
      result.reason = StopReason::TimeLimit;
      break;
    }
    const QueuedEvent event = queue_.take_top();
    now_ = event.time;
    dispatch(event);
    queue_.settle();
    // With many actors, loading an event's actor is a cache miss that would stall its dispatch:
    // request upcoming events' actors early, their table entries first, then the objects.
    // A timer's slot is as cold: its stamp is requested with the actor's table entry, its
    // callback (unless cancelled: most are) with the actor.
    if (const QueuedEvent* later = queue_.upcoming(kPrefetchAhead)) {
      __builtin_prefetch(&actors_[later->target]);
      if ((later->argument & ~kSlotMask) == kTimerKind) __builtin_prefetch(&timer_stamps_[later->argument & kSlotMask]);
      const QueuedEvent& nearer = later[kPrefetchAhead / 2];  // kPrefetchAhead / 2 ahead
      __builtin_prefetch(actors_[nearer.target].get());
      if ((nearer.argument & ~kSlotMask) == kTimerKind) {
        const std::uint32_t slot = nearer.argument & kSlotMask;
        if ((timer_stamps_[slot] & kTimerStateMask) == kTimerArmed) __builtin_prefetch(&timer_callbacks_[slot]);
      }
    }
    if (stop_requested_ || (stop_condition_ && stop_condition_())) [[unlikely]] {
      result.reason = StopReason::StopRequested;
      break;
    }
  }
  if (advance_clock_to_end && result.reason != StopReason::StopRequested) now_ = end;
  result.events = events_executed_ - executed_before;
  result.now = now();
  return result;
}

void Simulation::dispatch_delivery(const QueuedEvent& event) {
  const std::uint32_t slot = event.argument & kSlotMask;
  const Delivery delivery = std::move(deliveries_[slot]);
  free_deliveries_.push_back(slot);
  ++events_executed_;
  fingerprint_.add(event.time, event.target, delivery.payload);
  Actor& destination = *actors_[event.target];
  destination.on_receive(delivery);
  for (DeliveryObserver* observer : observers_) observer->on_delivery(now(), destination, delivery);
}

void Simulation::dispatch_timer(const QueuedEvent& event) {
  const std::uint32_t slot = event.argument & kSlotMask;
  const std::uint32_t stamp = timer_stamps_[slot];
  if ((stamp & kTimerStateMask) == kTimerCancelled) {
    free_timer(slot);  // a tombstone: skipped, not counted
    return;
  }
  DRSIM_CHECK((stamp & kTimerStateMask) == kTimerArmed, "timer slot in an impossible state");
  timer_stamps_[slot] = (stamp & ~kTimerStateMask) | kTimerFiring;
  // Moved out first: the callback may schedule timers (growing the table) or drop its own
  // handle, and must not be destroyed while it runs.
  TimerCallback callback = std::move(timer_callbacks_[slot]);
  ++events_executed_;
  callback();
  free_timer(slot);
}

}  // namespace sim
