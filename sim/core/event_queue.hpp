#pragma once
// The future event set: a 4-ary min-heap of 24-byte POD entries ordered by (time, insertion
// sequence) and nothing else (DESIGN.md rule 1). Entries name their handler by index (actor
// id and a kind-tagged argument), never by pointer or closure, so the heap is a flat array
// that sifts with plain copies and four children share a cache line and a half.
#include <cstdint>
#include <vector>

#include "sim/core/check.hpp"
#include "sim/core/int128.hpp"

namespace sim {

struct QueuedEvent {
  std::int64_t time;       // nanoseconds
  std::uint64_t sequence;  // insertion order, unique: breaks every tie
  std::uint32_t target;    // actor id
  std::uint32_t argument;  // kind in the top two bits, then a tag or a slot index
};
static_assert(sizeof(QueuedEvent) == 24);

class EventQueue {
 public:
  bool empty() const { return heap_.size() == root_vacant_; }
  std::size_t size() const { return heap_.size() - root_vacant_; }
  std::size_t capacity() const { return heap_.capacity(); }
  void reserve(std::size_t events) { heap_.reserve(events); }

  const QueuedEvent& top() const {
    DRSIM_CHECK(!root_vacant_ && !heap_.empty(), "EventQueue::top() with no settled top");
    return heap_.front();
  }

  void push(std::int64_t time, std::uint32_t target, std::uint32_t argument) {
    const QueuedEvent event{time, next_sequence_++, target, argument};
    if (root_vacant_) {
      // The event being dispatched left the root empty: filling it and sifting down costs one
      // pass instead of a pop's sift-down plus a push's sift-up (PHOLD-like models schedule
      // one event per event).
      root_vacant_ = false;
      sift_down(0, event);
      return;
    }
    heap_.push_back(event);
    sift_up(heap_.size() - 1, event);
  }

  // Removes the top in two steps so a handler's first push can take its place: take_top()
  // copies it out and leaves the root vacant, settle() repairs the heap if nothing did.
  QueuedEvent take_top() {
    DRSIM_CHECK(!root_vacant_ && !heap_.empty(), "EventQueue::take_top() on an empty queue");
    root_vacant_ = true;
    return heap_.front();
  }
  void settle() {
    if (!root_vacant_) return;
    root_vacant_ = false;
    const QueuedEvent last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0, last);
  }

  std::uint64_t pushed() const { return next_sequence_; }

 private:
  static bool before(const QueuedEvent& a, const QueuedEvent& b) {
    // One 128-bit comparison of (time, sequence): branch-free, and exactly the tuple order.
    const Int128 key_a = (static_cast<Int128>(a.time) << 64) | a.sequence;
    const Int128 key_b = (static_cast<Int128>(b.time) << 64) | b.sequence;
    return key_a < key_b;
  }

  void sift_up(std::size_t index, const QueuedEvent& event) {
    while (index > 0) {
      const std::size_t parent = (index - 1) / 4;
      if (!before(event, heap_[parent])) break;
      heap_[index] = heap_[parent];
      index = parent;
    }
    heap_[index] = event;
  }

  void sift_down(std::size_t index, const QueuedEvent& event) {
    const std::size_t count = heap_.size();
    for (;;) {
      const std::size_t first_child = 4 * index + 1;
      if (first_child >= count) break;
      std::size_t best = first_child;
      const std::size_t end = first_child + 4 < count ? first_child + 4 : count;
      for (std::size_t child = first_child + 1; child < end; ++child)
        if (before(heap_[child], heap_[best])) best = child;
      if (!before(heap_[best], event)) break;
      heap_[index] = heap_[best];
      index = best;
    }
    heap_[index] = event;
  }

  std::vector<QueuedEvent> heap_;
  std::uint64_t next_sequence_ = 0;
  bool root_vacant_ = false;
};

}  // namespace sim
