#pragma once
// A scheduled timer is owned by a move-only TimerHandle: dropping the handle cancels the
// timer, so an actor that forgets a timer cannot be woken after it stopped caring. Cancel is
// O(1): the queue entry stays and is skipped when it surfaces (a lazy tombstone).
#include <cstdint>
#include <functional>

namespace sim {

class Simulation;

using TimerCallback = std::function<void()>;

class [[nodiscard]] TimerHandle {
 public:
  TimerHandle() = default;
  TimerHandle(const TimerHandle&) = delete;
  TimerHandle& operator=(const TimerHandle&) = delete;
  TimerHandle(TimerHandle&& other) noexcept { take(other); }
  TimerHandle& operator=(TimerHandle&& other) noexcept {
    if (this != &other) {
      cancel();
      take(other);
    }
    return *this;
  }
  ~TimerHandle() { cancel(); }

  // Safe to call at any time, also from inside any event handler, also after the timer fired.
  void cancel();
  // True while the timer is scheduled and has neither fired nor been cancelled.
  bool pending() const;
  // Lets the timer fire even though this handle goes away (fire-and-forget).
  void release() { simulation_ = nullptr; }

 private:
  friend class Simulation;
  TimerHandle(Simulation* simulation, std::uint32_t slot, std::uint32_t generation)
      : simulation_(simulation), slot_(slot), generation_(generation) {}
  void take(TimerHandle& other) {
    simulation_ = other.simulation_;
    slot_ = other.slot_;
    generation_ = other.generation_;
    other.simulation_ = nullptr;
  }

  Simulation* simulation_ = nullptr;
  std::uint32_t slot_ = 0;
  std::uint32_t generation_ = 0;
};

}  // namespace sim
