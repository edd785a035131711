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
// Small queues skip the tiers: everything sits in the heap. Pushes past the near range reach
// their buckets in batches, through a small staging area (staged_).
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
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
    const std::uint64_t sequence = next_sequence_++;
    ++size_;
    if (time > near_last_) {
      // The common case: the event waits in the staging area for its bucket (see staged_). It is
      // written field by field: assembled on the stack first, it was read back as one 16-byte
      // load from two 8-byte stores, which cannot be forwarded and waits for them to reach the
      // cache, at the end of the handler's longest chain.
      QueuedEvent* const slot = &staged_[staged_count_++];
      slot->time = time;
      slot->sequence = sequence;
      slot->target = target;
      slot->argument = argument;
      if (staged_count_ == kStaged) [[unlikely]] place_staged();
      if (near_.empty()) [[unlikely]] refill();
      return;
    }
    push_near_or_untiered({time, sequence, target, argument});
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
  // buckets mainly mean fewer refills and a smaller bucket table (touched by every placement)
  // that stays in cache. With pushes staged, 64 beat 32 (and 32 beat 16) at every PHOLD size.
  static constexpr std::size_t kBucketTarget = 64;
  // An epoch has at most this many buckets per kBucketTarget events pending: 2 rather than 4
  // halves the table, for more epochs (each a pass over the far list).
  static constexpr std::uint64_t kBucketsPerTarget = 2;
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
  // A comparator as a type, not a function pointer, so std::sort and friends inline it.
  struct LaterFirst {
    bool operator()(const QueuedEvent& a, const QueuedEvent& b) const { return before(b, a); }
  };

  // The bucket of a time after near_last_: one of the epoch's, or past it the far list, which
  // sits after them as one more bucket. Chosen by a clamp rather than a branch that would go
  // the other way for a fifth of the events (PHOLD), and mispredict.
  std::size_t bucket_index(std::int64_t time) const {
    return std::min<std::uint64_t>((static_cast<std::uint64_t>(time) - static_cast<std::uint64_t>(epoch_start_)) >> bucket_shift_, far_bucket_);
  }

  // push()'s other case, out of line so it costs the common one no register saves: into near_
  // (which is everything while the queue is small).
  [[gnu::noinline]] void push_near_or_untiered(const QueuedEvent& event) {
    push_near(event);
    if (!tiered_ && near_.size() > tier_threshold_) [[unlikely]] start_tiers();
  }

  // Moves the staged events into their buckets. Out of line, once per kStaged pushes.
  [[gnu::noinline]] void place_staged() {
    for (std::size_t index = 0; index < staged_count_; ++index) buckets_[bucket_index(staged_[index].time)].push_back(staged_[index]);
    staged_count_ = 0;
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
    place_staged();  // first: draining a bucket moves near_last_, planning an epoch moves them all
    while (near_.empty()) {
      if (tiered_ && size_ > 2 * epoch_planned_for_) [[unlikely]] {
        respread();
      } else if (next_bucket_ < far_bucket_) {
        std::vector<QueuedEvent>& bucket = buckets_[next_bucket_++];
        near_last_ = next_bucket_ == far_bucket_ ? epoch_last_ : bucket_start(next_bucket_) - 1;
        if (bucket.empty()) continue;
        near_.swap(bucket);  // the drained near's capacity serves the bucket from now on
        sort_bucket_into_near(bucket_start(next_bucket_ - 1));
        near_sorted_ = true;
      } else if (tiered_ && !buckets_[far_bucket_].empty()) {
        far_.swap(buckets_[far_bucket_]);
        start_epoch();
      } else {
        return;
      }
    }
  }

  // The queue more than doubled since its epoch was planned (at the start of a run the tiers
  // start from the first few hundred of many events): the buckets are too wide for today's
  // density, a front bucket would hold thousands, so the epoch is planned afresh from every
  // pending event. Waiting for a doubling keeps the cost per push constant.
  void respread() {
    for (std::size_t bucket = next_bucket_; bucket <= far_bucket_; ++bucket) {
      far_.insert(far_.end(), buckets_[bucket].begin(), buckets_[bucket].end());
      buckets_[bucket].clear();
    }
    start_epoch();
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
    // Counts of up to 255 fit a byte, and eight bytes are summed at once (sum_bytes_in_place):
    // the bins outnumber the events four to one, so summing them was a third of the sort.
    if (count <= 255) {
      scatter_by_bin(reinterpret_cast<std::uint8_t*>(bin_slots_), last_bin, bin_of);
    } else {
      scatter_by_bin(bin_slots_, last_bin, bin_of);
    }
    std::size_t moves = 0;
    for (std::size_t index = 1; index < count; ++index) {
      // Mostly in place already (the bins outnumber the events): then one comparison, no copies.
      if (!before(near_[index - 1], near_[index])) continue;
      const QueuedEvent event = near_[index];
      std::size_t hole = index;
      do {
        near_[hole] = near_[hole - 1];
        --hole;
      } while (hole > 0 && before(near_[hole - 1], event));
      near_[hole] = event;
      moves += index - hole;
      if (moves > kInsertionMovesPerEvent * count) [[unlikely]] {
        // Clustered times (many events per bin): a comparison sort keeps the worst case n log n.
        std::sort(near_.begin(), near_.end(), LaterFirst{});
        return;
      }
    }
  }

  // The counting sort's passes: counts events per bin, turns the counts into each bin's first
  // slot, and places every event in its bin's next slot of sort_scratch_, earliest bin last
  // (near_ is latest first); then sort_scratch_ becomes near_.
  template <class Slot, class BinOf>
  void scatter_by_bin(Slot* const first_slot, std::size_t last_bin, BinOf bin_of) {
    const std::size_t count = near_.size();
    std::fill(first_slot, first_slot + slot_entries<Slot>(last_bin), Slot{0});
    for (const QueuedEvent& event : near_) ++first_slot[bin_of(event) + 1];
    if constexpr (sizeof(Slot) == 1 && std::endian::native == std::endian::little) {
      sum_bytes_in_place(first_slot, slot_entries<Slot>(last_bin));
    } else {
      for (std::size_t bin = 1; bin <= last_bin + 1; ++bin) first_slot[bin] = static_cast<Slot>(first_slot[bin] + first_slot[bin - 1]);
    }
    sort_scratch_.resize(count);
    // A local pointer: a byte store may alias the vector's own, which would be reloaded per event.
    QueuedEvent* const sorted = sort_scratch_.data();
    for (const QueuedEvent& event : near_) sorted[count - 1 - first_slot[bin_of(event)]++] = event;
    near_.swap(sort_scratch_);
  }
  // Entries of the slot table: one per bin and one more; a whole number of 8-byte words for bytes.
  template <class Slot>
  static std::size_t slot_entries(std::size_t last_bin) {
    return sizeof(Slot) == 1 ? (last_bin + 2 + 7) / 8 * 8 : last_bin + 2;
  }
  // Running sum of `size` (a multiple of 8) byte counts whose total is below 256, eight per
  // 64-bit word: multiplying a word by 0x0101...01 adds every byte to those above it (no sum
  // reaches 256, so no byte carries into the next), then every byte gets the earlier words' total.
  static void sum_bytes_in_place(std::uint8_t* counts, std::size_t size) {
    constexpr std::uint64_t kEveryByte = 0x0101010101010101ULL;
    std::uint64_t total = 0;
    for (std::size_t at = 0; at < size; at += 8) {
      std::uint64_t word;
      std::memcpy(&word, counts + at, 8);
      word = word * kEveryByte + total * kEveryByte;
      std::memcpy(counts + at, &word, 8);
      total = word >> 56;
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

  // Spreads far_ (the far list, taken out of its bucket) over a new run of buckets, from its
  // earliest event on. The bucket width is a power of two near the span of the kBucketTarget
  // earliest events (the density where draining starts); the run covers the far list with at
  // most kBucketsPerTarget buckets per kBucketTarget events and at most kMaxBuckets, and what
  // lies beyond stays in the far list (the last bucket) for a later epoch.
  void start_epoch() {
    epoch_planned_for_ = far_.size();
    if (far_.size() <= kTierThreshold) {
      untier();
      return;
    }
    const std::size_t target = kBucketTarget;
    std::int64_t first = kNoLimit;
    std::int64_t last = std::numeric_limits<std::int64_t>::min();
    for (const QueuedEvent& event : far_) {
      first = std::min(first, event.time);
      last = std::max(last, event.time);
    }
    // The bucket width is 2^(bit width of the spread from the earliest event to the target-th
    // after it): the smallest shift s with more than `target` events less than 2^s after the
    // earliest. Counting the events by the bit width of that distance finds s in a branch-free
    // pass; selecting the target-th event (nth_element) mispredicted about a branch per event.
    std::size_t by_width[65] = {};
    for (const QueuedEvent& event : far_) ++by_width[std::bit_width(static_cast<std::uint64_t>(event.time) - static_cast<std::uint64_t>(first))];
    unsigned shift = 0;
    std::size_t within = by_width[0];
    while (within <= target) within += by_width[++shift];
    bucket_shift_ = shift;
    const auto room = static_cast<std::uint64_t>((Int128{kNoLimit} - first) >> bucket_shift_);  // whole buckets before the end of time
    const std::uint64_t wanted = ((static_cast<std::uint64_t>(last) - static_cast<std::uint64_t>(first)) >> bucket_shift_) + 1;
    const std::uint64_t bucket_count = std::min({wanted, room, kBucketsPerTarget * far_.size() / target, kMaxBuckets});
    if (bucket_count == 0) {  // everything at the end of time: nothing to spread
      untier();
      return;
    }
    for (auto& bucket : buckets_) DRSIM_CHECK(bucket.empty(), "EventQueue epoch started over full buckets");
    buckets_.resize(bucket_count + 1);
    far_bucket_ = bucket_count;
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
    buckets_[far_bucket_].swap(far_);  // far_ gets the bucket's empty capacity for the next epoch
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
    far_bucket_ = 0;
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

  // Every event in near_ is at or before near_last_; every event in a bucket after it.
  std::vector<QueuedEvent> near_;  // latest first if near_sorted_, else a 4-ary min-heap
  bool near_sorted_ = false;
  bool root_vacant_ = false;  // heap form only: the top was taken and its slot not yet refilled
  bool tiered_ = false;
  std::int64_t near_last_ = kNoLimit;
  // Bucket i < far_bucket_ of the epoch holds [epoch_start_ + i 2^bucket_shift_, + 2^bucket_shift_);
  // those before next_bucket_ were drained into near_. Bucket far_bucket_, the last, is the far
  // list: everything after epoch_last_, unsorted.
  std::vector<std::vector<QueuedEvent>> buckets_;
  std::size_t far_bucket_ = 0;
  // Events pushed after near_last_ wait here, in push order, until kStaged have come or near_
  // needs a refill, and then go to their buckets together. A push then writes to a place known
  // before its time is: the time is the last result of the handler's longest chain of
  // arithmetic (PHOLD: the deterministic logarithm), and finding the bucket from it (its table
  // entry, a load, a capacity check) lengthened that chain, which every instruction behind it
  // waits on to retire. Placing a batch later finds those times long computed.
  static constexpr std::size_t kStaged = 32;
  QueuedEvent staged_[kStaged];
  std::size_t staged_count_ = 0;
  std::size_t epoch_planned_for_ = 0;  // events pending when the epoch was planned
  std::size_t next_bucket_ = 0;
  std::int64_t epoch_start_ = 0;
  std::int64_t epoch_last_ = kNoLimit;
  unsigned bucket_shift_ = 0;
  std::vector<QueuedEvent> far_;  // the far list while start_epoch() spreads it, else empty
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
