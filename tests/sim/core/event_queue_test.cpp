#include "sim/core/event_queue.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <tuple>
#include <vector>

#include "sim/core/rng.hpp"

using sim::EventQueue;

TEST_CASE("events at the same time leave the queue in insertion order") {
  EventQueue queue;
  for (std::uint32_t i = 0; i < 100; ++i) queue.push(i % 3 == 0 ? 5 : 7, i, 0);
  std::vector<std::uint32_t> order;
  while (!queue.empty()) {
    order.push_back(queue.take_top().target);
    queue.settle();
  }
  std::vector<std::uint32_t> expected;
  for (std::uint32_t i = 0; i < 100; i += 3) expected.push_back(i);
  for (std::uint32_t i = 0; i < 100; ++i)
    if (i % 3 != 0) expected.push_back(i);
  CHECK(order == expected);
}

namespace {

// Drives the queue and a reference (an ordered set of (time, sequence)) side by side; every pop
// must agree, including pushes made while a popped event is being dispatched (between
// take_top() and settle()).
class Checked {
 public:
  void push(std::int64_t time) {
    queue_.push(time, static_cast<std::uint32_t>(sequence_), 0);
    reference_.emplace(time, sequence_++);
  }
  std::int64_t take_top() {
    const auto event = queue_.take_top();
    const auto [time, sequence] = *reference_.begin();
    REQUIRE(event.time == time);
    REQUIRE(event.sequence == sequence);
    REQUIRE(event.target == static_cast<std::uint32_t>(sequence));
    reference_.erase(reference_.begin());
    return event.time;
  }
  void settle() {
    queue_.settle();
    REQUIRE(queue_.size() == reference_.size());
  }
  bool empty() const { return queue_.empty(); }

 private:
  EventQueue queue_;
  std::set<std::tuple<std::int64_t, std::uint64_t>> reference_;
  std::uint64_t sequence_ = 0;
};

}  // namespace

TEST_CASE("the queue pops in exact time-then-insertion order under random pushes and pops") {
  sim::RandomStream random(7, "test", "queue");
  Checked queue;
  std::int64_t now = 0;
  for (int step = 0; step < 200000; ++step) {
    const auto action = random.uniform_below(10);
    if (action < 6 || queue.empty()) {
      queue.push(now + static_cast<std::int64_t>(random.uniform_below(50)));  // many ties
      queue.settle();
    } else {
      now = queue.take_top();
      if (action == 9) queue.push(now + static_cast<std::int64_t>(random.uniform_below(3)));  // during a dispatch
      queue.settle();
    }
  }
}

TEST_CASE("the tiered queue keeps the order through buckets, epochs and the end of time") {
  // PHOLD-like traffic over thousands of pending events (so the queue spreads them over buckets
  // and epochs), mixed with zero-delay pushes into the sorted near run, bursts of equal times,
  // events far beyond the epoch and at Time::max(), and a drain to empty and back.
  sim::RandomStream random(11, "test", "tiers");
  const sim::ExponentialDistribution delay(1e6);
  Checked queue;
  std::int64_t now = 0;
  const std::int64_t never = std::numeric_limits<std::int64_t>::max();
  for (int i = 0; i < 3000; ++i) queue.push(static_cast<std::int64_t>(delay(random)));
  for (int i = 0; i < 40; ++i) queue.push(never);
  for (int round = 0; round < 2; ++round) {
    for (int step = 0; step < 60000; ++step) {
      now = queue.take_top();
      if (now == never) {
        queue.settle();
        break;
      }
      const auto action = random.uniform_below(100);
      if (action < 80) queue.push(now + 100000 + static_cast<std::int64_t>(delay(random)));
      else if (action < 90) queue.push(now);  // zero delay: lands in the near run
      else if (action < 95) for (int i = 0; i < 200; ++i) queue.push(now + 5);  // a burst of ties
      else if (action < 97) queue.push(now + 1000 * static_cast<std::int64_t>(delay(random)));  // far
      else if (action < 98) queue.push(never);
      queue.settle();
    }
    // Drain everything (the end-of-time events last), then start over from an empty queue.
    while (!queue.empty()) {
      now = queue.take_top();
      queue.settle();
    }
    now = 0;
    for (int i = 0; i < 3000; ++i) queue.push(static_cast<std::int64_t>(delay(random)));
  }
}

TEST_CASE("buckets full of equal or clustered times still leave in exact order") {
  // Bursts of ties and near-ties far enough ahead to wait in a bucket: the bucket sort's bins
  // then hold many events each, and its insertion pass must give way to a comparison sort.
  sim::RandomStream random(13, "test", "clusters");
  const sim::ExponentialDistribution delay(1e6);
  Checked queue;
  std::int64_t now = 0;
  for (int i = 0; i < 2000; ++i) queue.push(static_cast<std::int64_t>(delay(random)));
  for (int step = 0; step < 20000; ++step) {
    now = queue.take_top();
    const auto action = random.uniform_below(100);
    const std::int64_t ahead = now + 100000 + static_cast<std::int64_t>(delay(random));
    if (action < 96) queue.push(ahead);
    else if (action < 98) for (int i = 0; i < 300; ++i) queue.push(ahead);  // equal times
    else for (int i = 0; i < 300; ++i) queue.push(ahead + static_cast<std::int64_t>(random.uniform_below(4)));
    queue.settle();
  }
  while (!queue.empty()) {
    queue.take_top();
    queue.settle();
  }
}

TEST_CASE("a queue that grows a hundredfold while it runs re-plans its buckets and keeps the order") {
  // The tiers start from the first few hundred events; PHOLD with many LPs then pushes tens of
  // thousands more before the first pop, and the queue keeps growing while it runs: each
  // doubling re-spreads every pending event (buckets, far list and all) into a new epoch.
  sim::RandomStream random(17, "test", "growth");
  const sim::ExponentialDistribution delay(1e6);
  Checked queue;
  std::int64_t now = 0;
  for (int i = 0; i < 20000; ++i) queue.push(static_cast<std::int64_t>(delay(random)));
  for (int step = 0; step < 60000; ++step) {
    now = queue.take_top();
    queue.push(now + 100000 + static_cast<std::int64_t>(delay(random)));
    if (step % 2 == 0) queue.push(now + 100000 + static_cast<std::int64_t>(delay(random)));  // grows
    if (step % 1000 == 0) queue.push(now + 1000 * static_cast<std::int64_t>(delay(random)));  // far list
    queue.settle();
  }
  while (!queue.empty()) {
    queue.take_top();
    queue.settle();
  }
}

TEST_CASE("a pending event costs at most 48 bytes of queue") {
  // 24-byte entries, plus spare capacity in the buckets and the bucket table.
  CHECK(sizeof(sim::QueuedEvent) == 24);
  sim::RandomStream random(3, "test", "memory");
  const sim::ExponentialDistribution delay(1e9);
  EventQueue queue;
  const std::size_t pending = 1'000'000;
  for (std::uint32_t i = 0; i < pending; ++i) queue.push(static_cast<std::int64_t>(delay(random)), i, 0);
  CHECK(queue.size() == pending);
  CHECK(queue.memory_bytes() <= pending * 48);
}
