#pragma once
// A scheduled timer is owned by a move-only TimerHandle: dropping the handle cancels the
// timer, so an actor that forgets a timer cannot be woken after it stopped caring. Cancel is
// O(1): the queue entry stays and is skipped when it surfaces (a lazy tombstone).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <new>
#include <type_traits>
#include <utility>

namespace sim {

class Simulation;

// What a timer runs: a move-only void() callable. Captures of up to 48 bytes (`this` and a
// few words, or a std::string) live inline, where std::function's 16 bytes would allocate; a
// whole TimerCallback is one 64-byte cache line. Larger captures go to the heap.
class TimerCallback {
 public:
  static constexpr std::size_t kInlineBytes = 48;

  TimerCallback() = default;
  TimerCallback(std::nullptr_t) {}
  template <class Callable, class Function = std::decay_t<Callable>>
    requires(!std::is_same_v<Function, TimerCallback> && std::is_invocable_r_v<void, Function&>)
  TimerCallback(Callable&& callable) {
    if constexpr (std::is_pointer_v<Function> || std::is_member_pointer_v<Function> ||
                  std::is_same_v<Function, std::function<void()>>) {
      if (!callable) return;  // an empty callable makes an empty callback, as with std::function
    }
    if constexpr (sizeof(Function) <= kInlineBytes && alignof(Function) <= alignof(std::max_align_t) &&
                  std::is_nothrow_move_constructible_v<Function>) {
      ::new (static_cast<void*>(storage_)) Function(std::forward<Callable>(callable));
      // Moves copy all kInlineBytes: the unused tail is defined, not read uninitialized.
      if constexpr (sizeof(Function) < kInlineBytes) std::memset(storage_ + sizeof(Function), 0, kInlineBytes - sizeof(Function));
      operations_ = &kInlineOperations<Function>;
    } else {
      Function* const on_heap = new Function(std::forward<Callable>(callable));
      ::new (static_cast<void*>(storage_)) Function*(on_heap);
      operations_ = &kHeapOperations<Function>;
    }
  }
  TimerCallback(TimerCallback&& other) noexcept { take(other); }
  TimerCallback& operator=(TimerCallback&& other) noexcept {
    if (this != &other) {
      reset();
      take(other);
    }
    return *this;
  }
  TimerCallback& operator=(std::nullptr_t) noexcept {
    reset();
    return *this;
  }
  TimerCallback(const TimerCallback&) = delete;
  TimerCallback& operator=(const TimerCallback&) = delete;
  ~TimerCallback() { reset(); }

  explicit operator bool() const { return operations_ != nullptr; }
  friend bool operator==(const TimerCallback& callback, std::nullptr_t) { return callback.operations_ == nullptr; }
  void operator()() { operations_->invoke(storage_); }
  // True when dropping it frees nothing: the simulation then need not touch it at cancel.
  bool owns_resources() const { return operations_ != nullptr && operations_->destroy != nullptr; }

 private:
  struct Operations {
    void (*invoke)(void* storage);
    void (*relocate)(void* from, void* to);  // null: copying the bytes moves it
    void (*destroy)(void* storage);          // null: nothing to release
  };

  template <class Function>
  static Function& inline_object(void* storage) {
    return *std::launder(static_cast<Function*>(storage));
  }
  template <class Function>
  static Function*& heap_pointer(void* storage) {
    return *std::launder(static_cast<Function**>(storage));
  }
  template <class Function>
  static constexpr bool kMovedByBytes = std::is_trivially_copyable_v<Function> && std::is_trivially_destructible_v<Function>;

  template <class Function>
  static constexpr Operations kInlineOperations{
      [](void* storage) { inline_object<Function>(storage)(); },
      kMovedByBytes<Function> ? nullptr
                              : +[](void* from, void* to) {
                                  Function& source = inline_object<Function>(from);
                                  ::new (to) Function(std::move(source));
                                  source.~Function();
                                },
      kMovedByBytes<Function> ? nullptr : +[](void* storage) { inline_object<Function>(storage).~Function(); },
  };
  template <class Function>
  static constexpr Operations kHeapOperations{
      [](void* storage) { (*heap_pointer<Function>(storage))(); },
      nullptr,  // the pointer moves by its bytes
      [](void* storage) { delete heap_pointer<Function>(storage); },
  };

  void take(TimerCallback& other) noexcept {
    operations_ = other.operations_;
    if (operations_ == nullptr) return;
    if (operations_->relocate == nullptr) {
      std::memcpy(storage_, other.storage_, kInlineBytes);
    } else {
      operations_->relocate(other.storage_, storage_);
    }
    other.operations_ = nullptr;
  }
  void reset() noexcept {
    if (operations_ != nullptr && operations_->destroy != nullptr) operations_->destroy(storage_);
    operations_ = nullptr;
  }

  alignas(std::max_align_t) unsigned char storage_[kInlineBytes];
  const Operations* operations_ = nullptr;
};

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
  TimerHandle(Simulation* simulation, std::uint32_t slot, std::uint32_t armed_stamp)
      : simulation_(simulation), slot_(slot), armed_stamp_(armed_stamp) {}
  void take(TimerHandle& other) {
    simulation_ = other.simulation_;
    slot_ = other.slot_;
    armed_stamp_ = other.armed_stamp_;
    other.simulation_ = nullptr;
  }

  Simulation* simulation_ = nullptr;
  std::uint32_t slot_ = 0;
  std::uint32_t armed_stamp_ = 0;  // the slot's stamp while this handle's timer is armed
};

}  // namespace sim
