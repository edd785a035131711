#include "sim/core/event_queue.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
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

TEST_CASE("the queue pops in exact time-then-insertion order under random pushes and pops") {
  // A reference model: a sorted vector of (time, sequence); the heap must agree at every pop,
  // including pushes made while the root is vacant (during a dispatch).
  sim::RandomStream random(7, "test", "queue");
  EventQueue queue;
  std::vector<std::tuple<std::int64_t, std::uint64_t>> reference;
  std::uint64_t sequence = 0;
  std::int64_t now = 0;
  for (int step = 0; step < 200000; ++step) {
    const auto action = random.uniform_below(10);
    if (action < 6 || queue.empty()) {
      const auto time = now + static_cast<std::int64_t>(random.uniform_below(50));  // many ties
      queue.push(time, static_cast<std::uint32_t>(sequence), 0);
      reference.emplace_back(time, sequence++);
    } else {
      const auto event = queue.take_top();
      const auto smallest = std::min_element(reference.begin(), reference.end());
      REQUIRE(event.time == std::get<0>(*smallest));
      REQUIRE(event.sequence == std::get<1>(*smallest));
      reference.erase(smallest);
      now = event.time;
      if (action == 9) {  // a handler scheduling while the root is vacant
        const auto time = now + static_cast<std::int64_t>(random.uniform_below(3));
        queue.push(time, static_cast<std::uint32_t>(sequence), 0);
        reference.emplace_back(time, sequence++);
      }
      queue.settle();
    }
    REQUIRE(queue.size() == reference.size());
  }
}

TEST_CASE("a pending event costs 24 bytes of queue") {
  CHECK(sizeof(sim::QueuedEvent) == 24);
  EventQueue queue;
  queue.reserve(1'000'000);
  for (std::uint32_t i = 0; i < 1'000'000; ++i) queue.push(i, i, 0);
  CHECK(queue.capacity() * sizeof(sim::QueuedEvent) <= 1'000'000 * 24 + 64);
}
