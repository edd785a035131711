#pragma once
// The future event set, ordered by (time, insertion sequence) and nothing else (DESIGN.md rule
// 1). Entries are 24-byte PODs that name their handler by index (actor id and a kind-tagged
// argument), never by pointer or closure.
//
// Two tiers, after calendar and ladder queues: the earliest events sit in a small `near` set;
// later ones wait unsorted in buckets of 2^k nanoseconds (an "epoch" of consecutive buckets,
// plus a `far` list beyond it). When `near` runs dry the next bucket becomes `near`, sorted (by
// a counting sort on the time bits within the bucket, then an insertion pass), and
// pops come off its end; a push into the near range is inserted in order, and `near` turns into
// a 4-ary heap if it grows large. A push therefore costs an append and a pop a step along a
// sorted run of a few dozen events, whatever the number pending, instead of sifting a heap of
// every pending event (and missing the cache on each level when that heap is large).
// Small queues skip the tiers: everything sits in the heap.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
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
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  // Bytes held, spare capacity included: the memory cost of the pending events.
  std::size_t memory_bytes() const {
    std::size_t entries = near_.capacity() + far_.capacity() + sort_scratch_.capacity();
    for (const auto& bucket : buckets_) entries += bucket.capacity();
    return entries * sizeof(QueuedEvent) + buckets_.capacity() * sizeof(buckets_[0]);
  }
  void reserve(std::size_t events) { near_.reserve(std::min(events, kTierThreshold)); }

  const QueuedEvent& top() const {
    DRSIM_CHECK(!root_vacant_ && !near_.empty(), "EventQueue::top() with no settled top");
    return near_sorted_ ? near_.back() : near_.front();
  }

  void push(std::int64_t time, std::uint32_t target, std::uint32_t argument) {
    const QueuedEvent event{time, next_sequence_++, target, argument};
    ++size_;
    if (time > near_last_ && time <= epoch_last_) {
      // The common case, a bucket's append, stays small enough to inline into every post().
      std::vector<QueuedEvent>& bucket = buckets_[(static_cast<std::uint64_t>(time) - static_cast<std::uint64_t>(epoch_start_)) >> bucket_shift_];
      if (bucket.size() == bucket.capacity()) [[unlikely]] return push_elsewhere(event);
      bucket.push_back(event);
      if (near_.empty()) [[unlikely]] refill();
      return;
    }
    push_elsewhere(event);
  }

  // Removes the top in two steps so a handler's first push can take its place: take_top()
  // copies it out (in heap form leaving the root vacant), settle() repairs what is left.
  QueuedEvent take_top() {
    DRSIM_CHECK(!root_vacant_ && !near_.empty(), "EventQueue::take_top() on an empty queue");
    --size_;
    if (near_sorted_) {
      const QueuedEvent top = near_.back();
      near_.pop_back();
      return top;
    }
    root_vacant_ = true;
    return near_.front();
  }
  void settle() {
    if (root_vacant_) {
      root_vacant_ = false;
      const QueuedEvent last = near_.back();
      near_.pop_back();
      if (!near_.empty()) sift_down(0, last);
    }
    if (near_.empty() && size_ != 0) refill();
  }

  // The event `ahead` places after the top, if it is known without work (a push may still come
  // first): lets the run loop start loading the actors of upcoming events early. Only the sorted
  // form knows it; there the events between follow it in memory (result[k] is ahead - k places
  // after the top), so one check serves several look-aheads.
  const QueuedEvent* upcoming(std::size_t ahead) const {
    return near_sorted_ && near_.size() > ahead ? &near_[near_.size() - 1 - ahead] : nullptr;
  }

  std::uint64_t pushed() const { return next_sequence_; }

 private:
  static constexpr std::int64_t kNoLimit = std::numeric_limits<std::int64_t>::max();
  // Events per bucket aimed at: a bucket's sort is linear (sort_bucket_into_near), so fuller
  // buckets mainly mean fewer refills and a bucket table (touched by every push) that stays in
  // cache; past a few dozen, their contents no longer do.
  static std::size_t bucket_target(std::size_t pending) { return std::clamp<std::size_t>(pending / 4096, 16, 64); }
  // Every push touches a random bucket's table entry and tail: more buckets than this fall out
  // of cache faster than a longer far list costs to re-spread.
  static constexpr std::uint64_t kMaxBuckets = 8192;
  // Pending events above which the tiers pay for themselves.
  static constexpr std::size_t kTierThreshold = 256;
  // A sorted `near` takes insertions in order up to this size; beyond, it becomes a heap.
  static constexpr std::size_t kSortedInsertLimit = 128;

  static bool before(const QueuedEvent& a, const QueuedEvent& b) {
    // One 128-bit comparison of (time, sequence): branch-free, and exactly the tuple order.
    const Int128 key_a = (static_cast<Int128>(a.time) << 64) | a.sequence;
    const Int128 key_b = (static_cast<Int128>(b.time) << 64) | b.sequence;
    return key_a < key_b;
  }
  // Comparators as types, not function pointers, so std::sort and friends inline them.
  struct EarlierFirst {
    bool operator()(const QueuedEvent& a, const QueuedEvent& b) const { return before(a, b); }
  };
  struct LaterFirst {
    bool operator()(const QueuedEvent& a, const QueuedEvent& b) const { return before(b, a); }
  };

  // push()'s other cases, out of line so they cost the common one no register saves: into
  // near_, the far list, or a bucket that must grow.
  [[gnu::noinline]] void push_elsewhere(const QueuedEvent& event) {
    if (event.time <= near_last_) {
      push_near(event);
      if (!tiered_ && near_.size() > tier_threshold_) [[unlikely]] start_tiers();
      return;
    }
    if (event.time <= epoch_last_) {
      buckets_[(static_cast<std::uint64_t>(event.time) - static_cast<std::uint64_t>(epoch_start_)) >> bucket_shift_].push_back(event);
    } else {
      far_.push_back(event);
    }
    if (near_.empty()) refill();
  }

  void push_near(const QueuedEvent& event) {
    if (near_sorted_) {
      if (near_.size() < kSortedInsertLimit) {
        // Latest first, so the top is the last element; equal times cannot meet (sequences differ).
        near_.insert(std::lower_bound(near_.begin(), near_.end(), event, LaterFirst{}), event);
        return;
      }
      // Reversed, a latest-first run is earliest-first: already a valid heap.
      std::reverse(near_.begin(), near_.end());
      near_sorted_ = false;
    }
    if (root_vacant_) {
      // The event being dispatched left the root empty: filling it and sifting down costs one
      // pass instead of a pop's sift-down plus a push's sift-up.
      root_vacant_ = false;
      sift_down(0, event);
      return;
    }
    near_.push_back(event);
    sift_up(near_.size() - 1, event);
  }

  // `near` is empty: the next non-empty bucket becomes it (a new epoch when the buckets are used up).
  void refill() {
    while (near_.empty()) {
      if (next_bucket_ < buckets_.size()) {
        std::vector<QueuedEvent>& bucket = buckets_[next_bucket_++];
        near_last_ = next_bucket_ == buckets_.size() ? epoch_last_ : bucket_start(next_bucket_) - 1;
        if (bucket.empty()) continue;
        near_.swap(bucket);  // the drained near's capacity serves the bucket from now on
        sort_bucket_into_near(bucket_start(next_bucket_ - 1));
        near_sorted_ = true;
      } else if (!far_.empty()) {
        start_epoch();
      } else {
        return;
      }
    }
  }

  // Sorts near_ (one bucket's events, all within [start, start + 2^bucket_shift_)) latest first.
  // A comparison sort of a few dozen random keys mispredicts a branch per element; instead a
  // counting sort on the time's top bits within the bucket (branch-free) leaves each event
  // among a handful of neighbours, and an insertion pass by the full (time, sequence) order
  // finishes the job with few mispredictions.
  void sort_bucket_into_near(std::int64_t start) {
    const std::size_t count = near_.size();
    if (count < 2) return;
    const unsigned bin_bits = std::min<unsigned>(static_cast<unsigned>(std::bit_width(count - 1)) + 2, kMaxBinBits);
    const unsigned bin_shift = bucket_shift_ > bin_bits ? bucket_shift_ - bin_bits : 0;
    const std::size_t last_bin = (std::size_t{1} << bin_bits) - 1;
    const auto bin_of = [&](const QueuedEvent& event) {
      return std::min<std::size_t>((static_cast<std::uint64_t>(event.time) - static_cast<std::uint64_t>(start)) >> bin_shift, last_bin);
    };
    std::uint32_t* const first_slot = bin_slots_;  // events before each bin, then its next slot
    std::fill(first_slot, first_slot + last_bin + 2, 0u);
    for (const QueuedEvent& event : near_) ++first_slot[bin_of(event) + 1];
    for (std::size_t bin = 1; bin <= last_bin + 1; ++bin) first_slot[bin] += first_slot[bin - 1];
    sort_scratch_.resize(count);
    // Earliest bin last: near_ is latest first.
    for (const QueuedEvent& event : near_) sort_scratch_[count - 1 - first_slot[bin_of(event)]++] = event;
    near_.swap(sort_scratch_);
    std::size_t moves = 0;
    for (std::size_t index = 1; index < count; ++index) {
      const QueuedEvent event = near_[index];
      std::size_t hole = index;
      for (; hole > 0 && before(near_[hole - 1], event); --hole) near_[hole] = near_[hole - 1];
      near_[hole] = event;
      moves += index - hole;
      if (moves > kInsertionMovesPerEvent * count) [[unlikely]] {
        // Clustered times (many events per bin): a comparison sort keeps the worst case n log n.
        std::sort(near_.begin(), near_.end(), LaterFirst{});
        return;
      }
    }
  }

  // Moves every pending event into the far list and starts epochs from it.
  void start_tiers() {
    DRSIM_CHECK(!root_vacant_, "EventQueue tiers started during a dispatch");
    far_.insert(far_.end(), near_.begin(), near_.end());
    near_.clear();
    near_sorted_ = false;
    tiered_ = true;
    start_epoch();
    refill();
  }

  // Spreads the far list over a new run of buckets, from its earliest event on. The bucket width
  // is a power of two near the span of the bucket_target() earliest events (the density where
  // draining starts); the run covers the far list with at most 4 buckets per bucket_target()
  // events and at most kMaxBuckets, and what lies beyond stays in the far list for a later epoch.
  void start_epoch() {
    if (far_.size() <= kTierThreshold) {
      untier();
      return;
    }
    const std::size_t target = bucket_target(far_.size());
    std::nth_element(far_.begin(), far_.begin() + static_cast<std::ptrdiff_t>(target), far_.end(), EarlierFirst{});
    const std::int64_t first = std::min_element(far_.begin(), far_.begin() + static_cast<std::ptrdiff_t>(target), EarlierFirst{})->time;
    std::int64_t last = first;
    for (const QueuedEvent& event : far_) last = std::max(last, event.time);
    const std::uint64_t spread = static_cast<std::uint64_t>(far_[target].time) - static_cast<std::uint64_t>(first);
    bucket_shift_ = static_cast<unsigned>(std::bit_width(spread));
    const auto room = static_cast<std::uint64_t>((Int128{kNoLimit} - first) >> bucket_shift_);  // whole buckets before the end of time
    const std::uint64_t wanted = ((static_cast<std::uint64_t>(last) - static_cast<std::uint64_t>(first)) >> bucket_shift_) + 1;
    const std::uint64_t bucket_count = std::min({wanted, room, std::uint64_t{4} * far_.size() / target, kMaxBuckets});
    if (bucket_count == 0) {  // everything at the end of time: nothing to spread
      untier();
      return;
    }
    for (auto& bucket : buckets_) DRSIM_CHECK(bucket.empty(), "EventQueue epoch started over full buckets");
    buckets_.resize(bucket_count);
    next_bucket_ = 0;
    epoch_start_ = first;
    epoch_last_ = static_cast<std::int64_t>(static_cast<std::uint64_t>(first) + (bucket_count << bucket_shift_) - 1);
    near_last_ = first - 1;
    std::size_t kept = 0;
    for (const QueuedEvent& event : far_) {
      if (event.time <= epoch_last_) {
        buckets_[(static_cast<std::uint64_t>(event.time) - static_cast<std::uint64_t>(first)) >> bucket_shift_].push_back(event);
      } else {
        far_[kept++] = event;
      }
    }
    far_.resize(kept);
  }

  // Too few events for tiers: all into the heap, which takes every push from now on.
  void untier() {
    near_.swap(far_);
    far_.clear();
    // Floyd's bottom-up heap construction, from the last parent (index (size - 2) / 4) up.
    if (near_.size() > 1)
      for (std::size_t index = (near_.size() - 2) / 4 + 1; index-- > 0;) sift_down(index, QueuedEvent(near_[index]));
    near_sorted_ = false;
    near_last_ = kNoLimit;
    epoch_last_ = kNoLimit;
    buckets_.clear();
    next_bucket_ = 0;
    tiered_ = false;
    // A queue that could not be spread (every event at the end of time) waits to double first.
    tier_threshold_ = std::max(kTierThreshold, 2 * near_.size());
  }

  std::int64_t bucket_start(std::size_t bucket) const {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(epoch_start_) + (static_cast<std::uint64_t>(bucket) << bucket_shift_));
  }

  // Which of two heap slots holds the earlier event, without a branch: which child is smallest
  // is a coin toss, and a mispredicted branch per comparison costs more than the comparison.
  std::size_t earlier(std::size_t a, std::size_t b) const {
    const std::size_t b_wins = -static_cast<std::size_t>(before(near_[b], near_[a]));
    return a ^ ((a ^ b) & b_wins);
  }

  void sift_up(std::size_t index, const QueuedEvent& event) {
    while (index > 0) {
      const std::size_t parent = (index - 1) / 4;
      if (!before(event, near_[parent])) break;
      near_[index] = near_[parent];
      index = parent;
    }
    near_[index] = event;
  }

  void sift_down(std::size_t index, const QueuedEvent& event) {
    const std::size_t count = near_.size();
    for (;;) {
      const std::size_t first_child = 4 * index + 1;
      std::size_t best;
      if (first_child + 4 <= count) {
        best = earlier(earlier(first_child, first_child + 1), earlier(first_child + 2, first_child + 3));
      } else {
        if (first_child >= count) break;
        best = first_child;
        for (std::size_t child = first_child + 1; child < count; ++child) best = earlier(best, child);
      }
      if (!before(near_[best], event)) break;
      near_[index] = near_[best];
      index = best;
    }
    near_[index] = event;
  }

  // Every event in near_ is at or before near_last_; every event in a bucket or far_ after it.
  std::vector<QueuedEvent> near_;  // latest first if near_sorted_, else a 4-ary min-heap
  bool near_sorted_ = false;
  bool root_vacant_ = false;  // heap form only: the top was taken and its slot not yet refilled
  bool tiered_ = false;
  std::int64_t near_last_ = kNoLimit;
  // Bucket i of the epoch holds [epoch_start_ + i 2^bucket_shift_, + 2^bucket_shift_); those
  // before next_bucket_ were drained into near_.
  std::vector<std::vector<QueuedEvent>> buckets_;
  std::size_t next_bucket_ = 0;
  std::int64_t epoch_start_ = 0;
  std::int64_t epoch_last_ = kNoLimit;
  unsigned bucket_shift_ = 0;
  std::vector<QueuedEvent> far_;  // after epoch_last_, unsorted
  // sort_bucket_into_near()'s working space: at most 2^kMaxBinBits bins, and the moves per event
  // the insertion pass may make before it gives way to a comparison sort.
  static constexpr unsigned kMaxBinBits = 12;
  static constexpr std::size_t kInsertionMovesPerEvent = 4;
  std::vector<QueuedEvent> sort_scratch_;
  std::size_t size_ = 0;
  std::size_t tier_threshold_ = kTierThreshold;
  std::uint64_t next_sequence_ = 0;
  std::uint32_t bin_slots_[(std::size_t{1} << kMaxBinBits) + 1];  // last: keeps the hot fields together
};

}  // namespace sim
