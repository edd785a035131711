#include "sim/core/simulation.hpp"

#include <doctest/doctest.h>

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

using namespace sim;
using namespace sim::time_literals;

namespace {

// Records what happens to it, as "name:what@ns".
class Recorder final : public Actor {
 public:
  Recorder(ActorContext context, std::vector<std::string>& log) : Actor(std::move(context)), log_(log) {}
  void on_start() override { log_.push_back(name() + ":start"); }
  void on_event(std::uint32_t tag) override { note("event" + std::to_string(tag)); }
  void on_receive(const Delivery& delivery) override { note("got " + delivery.payload); }
  void note(const std::string& what) { log_.push_back(name() + ":" + what + "@" + std::to_string(now().nanoseconds())); }
  TimerHandle timer(Time delay, TimerCallback callback) { return start_timer(delay, std::move(callback)); }
  void say(ActorId to, Time delay, std::string text) { send(to, delay, std::move(text)); }

 private:
  std::vector<std::string>& log_;
};

// Two actors volleying a ball with random delays: a small model whose trajectory depends on the seed.
class Player final : public Actor {
 public:
  Player(ActorContext context, ActorId partner, int serves)
      : Actor(std::move(context)), partner_(partner), serves_(serves), random_(random_stream("delay")) {}
  void on_start() override {
    for (int i = 0; i < serves_; ++i) send(partner_, delay(), "serve " + std::to_string(i));
  }
  void on_receive(const Delivery& delivery) override {
    if (++hits_ < 200) send(delivery.source, delay(), "return " + std::to_string(hits_));
  }

 private:
  Time delay() { return 1_ms + Time::from_seconds_rounded(ExponentialDistribution(0.05)(random_)); }
  ActorId partner_;
  int serves_;
  int hits_ = 0;
  RandomStream random_;
};

std::uint64_t volley_fingerprint(std::uint64_t seed) {
  Simulation simulation(seed);
  simulation.add_actor<Player>("alice", 1, 2);
  simulation.add_actor<Player>("bob", 0, 1);
  simulation.run();
  return simulation.fingerprint();
}

}  // namespace

TEST_CASE("actors get dense ids in creation order and start in that order") {
  std::vector<std::string> log;
  Simulation simulation(1);
  auto& first = simulation.add_actor<Recorder>("sbc1", log);
  auto& second = simulation.add_actor<Recorder>("proxy-ams", log);
  CHECK(first.id() == 0);
  CHECK(second.id() == 1);
  CHECK(simulation.find_actor("proxy-ams") == &second);
  CHECK(simulation.find_actor("nobody") == nullptr);
  CHECK(second.name() == "proxy-ams");
  simulation.run();
  CHECK(log == std::vector<std::string>{"sbc1:start", "proxy-ams:start"});
}

TEST_CASE("equal-time events run in insertion order whatever is scheduled between them") {
  std::vector<std::string> log;
  Simulation simulation(1);
  auto& a = simulation.add_actor<Recorder>("a", log);
  auto& b = simulation.add_actor<Recorder>("b", log);
  simulation.post(5_s, b.id(), 1);
  simulation.post(5_s, a.id(), 2);
  simulation.post(4_s, a.id(), 3);  // an unrelated, earlier event inserted in between
  simulation.deliver(5_s, b.id(), Delivery{a.id(), 0, "hello"});
  auto timer = simulation.schedule_timer(5_s, a.id(), [&] { a.note("timer"); });
  simulation.post(5_s, a.id(), 4);
  simulation.run();
  CHECK(log == std::vector<std::string>{"a:start", "b:start", "a:event3@4000000000", "b:event1@5000000000",
                                        "a:event2@5000000000", "b:got hello@5000000000", "a:timer@5000000000",
                                        "a:event4@5000000000"});
}

TEST_CASE("a cancelled timer never fires") {
  std::vector<std::string> log;
  Simulation simulation(1);
  auto& actor = simulation.add_actor<Recorder>("a", log);
  simulation.run_until(Time::zero());
  log.clear();

  SUBCASE("cancel() before it is due") {
    auto handle = actor.timer(1_s, [&] { actor.note("fired"); });
    CHECK(handle.pending());
    handle.cancel();
    CHECK_FALSE(handle.pending());
  }
  SUBCASE("dropping the handle cancels") {
    { auto handle = actor.timer(1_s, [&] { actor.note("fired"); }); }
  }
  SUBCASE("moving a handle over another cancels the overwritten timer") {
    auto handle = actor.timer(1_s, [&] { actor.note("fired"); });
    handle = actor.timer(2_s, [&] { actor.note("second"); });
    simulation.run();
    CHECK(log == std::vector<std::string>{"a:second@2000000000"});
    return;
  }
  SUBCASE("cancelled by another event at the same instant, during dispatch") {
    TimerHandle victim;
    auto killer = actor.timer(1_s, [&] { victim.cancel(); });
    victim = actor.timer(1_s, [&] { actor.note("fired"); });
    simulation.run();
    CHECK(log.empty());
    CHECK(simulation.events_executed() == 1);
    return;
  }
  simulation.run();
  CHECK(log.empty());
  CHECK(simulation.pending_events() == 0);
}

TEST_CASE("a timer callback may cancel its own handle and schedule new timers") {
  std::vector<std::string> log;
  Simulation simulation(1);
  auto& actor = simulation.add_actor<Recorder>("a", log);
  simulation.run_until(Time::zero());
  TimerHandle retransmit;
  int fired = 0;
  std::function<void()> on_timer = [&] {
    ++fired;
    retransmit.cancel();  // cancelling the firing timer itself is a no-op
    if (fired < 5) retransmit = actor.timer(Time::from_seconds(fired), on_timer);  // re-arm, doubling like Timer A
  };
  retransmit = actor.timer(500_ms, on_timer);
  simulation.run();
  CHECK(fired == 5);
  CHECK(simulation.now() == 500_ms + 1_s + 2_s + 3_s + 4_s);
}

TEST_CASE("a timer handle moved and then dropped cancels its timer") {
  std::vector<std::string> log;
  Simulation simulation(1);
  auto& actor = simulation.add_actor<Recorder>("a", log);
  simulation.run_until(Time::zero());
  log.clear();
  TimerHandle kept = actor.timer(2_s, [&] { actor.note("kept"); });
  {
    TimerHandle original = actor.timer(1_s, [&] { actor.note("dropped"); });
    TimerHandle moved = std::move(original);
    CHECK_FALSE(original.pending());
    CHECK(moved.pending());
  }
  simulation.run();
  CHECK(log == std::vector<std::string>{"a:kept@2000000000"});
}

TEST_CASE("timer callbacks of every capture size run, and their captures are released") {
  std::vector<std::string> log;
  Simulation simulation(1);
  auto& actor = simulation.add_actor<Recorder>("a", log);
  simulation.run_until(Time::zero());
  log.clear();
  const auto owned = std::make_shared<int>(7);
  std::array<std::uint64_t, 12> large{};  // 96 bytes: beyond the inline room
  large.back() = 11;
  std::unique_ptr<int> move_only = std::make_unique<int>(3);
  const std::function<void()> wrapped = [&] { actor.note("wrapped"); };

  auto small = actor.timer(1_s, [&actor] { actor.note("small"); });
  auto with_string = actor.timer(2_s, [&actor, text = std::string(40, 'x')] { actor.note("string " + std::to_string(text.size())); });
  auto with_large = actor.timer(3_s, [&actor, large, owned] { actor.note("large " + std::to_string(large.back() + *owned)); });
  auto with_move_only = actor.timer(4_s, [&actor, value = std::move(move_only)] { actor.note("move-only " + std::to_string(*value)); });
  auto with_function = actor.timer(5_s, wrapped);
  auto cancelled_large = actor.timer(6_s, [&actor, large, owned] { actor.note("cancelled " + std::to_string(large.back())); });
  auto cancelled_shared = actor.timer(6_s, [&actor, owned] { actor.note("cancelled " + std::to_string(*owned)); });
  CHECK(owned.use_count() == 4);
  cancelled_large.cancel();
  cancelled_shared.cancel();
  CHECK(owned.use_count() == 2);  // a cancelled timer's captures go at once, not when its entry surfaces
  simulation.run();
  CHECK(owned.use_count() == 1);  // and a fired one's after it ran
  CHECK(log == std::vector<std::string>{"a:small@1000000000", "a:string 40@2000000000", "a:large 18@3000000000",
                                        "a:move-only 3@4000000000", "a:wrapped@5000000000"});
}

TEST_CASE("an empty std::function is refused as a timer callback") {
  TimerCallback from_empty = std::function<void()>();
  CHECK(from_empty == nullptr);
  TimerCallback callback = [] {};
  TimerCallback moved = std::move(callback);
  CHECK(callback == nullptr);
  CHECK(moved != nullptr);
}

TEST_CASE("same-time timers fire in scheduling order, cancelled ones skipped, slots reused") {
  std::vector<std::string> log;
  Simulation simulation(1);
  auto& actor = simulation.add_actor<Recorder>("a", log);
  simulation.run_until(Time::zero());
  log.clear();
  std::vector<int> fired;
  std::vector<TimerHandle> handles;
  const std::array<std::uint64_t, 10> padding{};
  for (int round = 0; round < 3; ++round) {
    fired.clear();
    handles.clear();
    for (int index = 0; index < 300; ++index) {
      if (index % 2 == 0) {
        handles.push_back(actor.timer(1_s, [&fired, index] { fired.push_back(index); }));
      } else {
        handles.push_back(actor.timer(1_s, [&fired, index, padding] { fired.push_back(index + static_cast<int>(padding[0])); }));
      }
    }
    for (std::size_t index = 0; index < handles.size(); index += 3) handles[index].cancel();
    simulation.run();
    std::vector<int> expected;
    for (int index = 0; index < 300; ++index)
      if (index % 3 != 0) expected.push_back(index);
    CHECK(fired == expected);
  }
}

TEST_CASE("a firing callback keeps its captures while it grows the timer table") {
  std::vector<std::string> log;
  Simulation simulation(1);
  auto& actor = simulation.add_actor<Recorder>("a", log);
  simulation.run_until(Time::zero());
  std::vector<TimerHandle> spawned;
  int spawned_fired = 0;
  std::string seen;
  auto spawner = actor.timer(1_s, [&, text = std::string(30, 'z')] {
    for (int index = 0; index < 1000; ++index) spawned.push_back(actor.timer(1_s, [&spawned_fired] { ++spawned_fired; }));
    seen = text;  // read after the table grew under it
  });
  simulation.run();
  CHECK(seen == std::string(30, 'z'));
  CHECK(spawned_fired == 1000);
}

TEST_CASE("a stale handle cannot cancel a newer timer that reuses its slot") {
  std::vector<std::string> log;
  Simulation simulation(1);
  auto& actor = simulation.add_actor<Recorder>("a", log);
  simulation.run_until(Time::zero());
  log.clear();
  auto first = actor.timer(1_s, [&] { actor.note("first"); });
  simulation.run_until(2_s);  // first fired; its slot is free again
  auto second = actor.timer(1_s, [&] { actor.note("second"); });
  first.cancel();
  CHECK(second.pending());
  simulation.run();
  CHECK(log == std::vector<std::string>{"a:first@1000000000", "a:second@3000000000"});
}

TEST_CASE("run_until runs events strictly before the limit and split runs equal one run") {
  std::vector<std::string> log;
  Simulation simulation(1);
  auto& actor = simulation.add_actor<Recorder>("a", log);
  simulation.post(1_s, actor.id(), 1);
  simulation.post(2_s, actor.id(), 2);
  auto result = simulation.run_until(2_s);
  CHECK(result.reason == StopReason::TimeLimit);
  CHECK(result.events == 1);
  CHECK(simulation.now() == 2_s);
  CHECK(simulation.pending_events() == 1);
  result = simulation.run_until(10_s);
  CHECK(result.events == 1);
  CHECK(result.reason == StopReason::QueueEmpty);
  CHECK(simulation.now() == 10_s);

  Simulation whole(9), split(9);
  whole.add_actor<Player>("alice", 1, 3);
  whole.add_actor<Player>("bob", 0, 0);
  split.add_actor<Player>("alice", 1, 3);
  split.add_actor<Player>("bob", 0, 0);
  whole.run();
  for (Time limit = 10_ms; split.pending_events() > 0 || split.now() == Time::zero(); limit += 10_ms) split.run_until(limit);
  CHECK(split.fingerprint() == whole.fingerprint());
  CHECK(split.events_executed() == whole.events_executed());
}

TEST_CASE("a stop condition or request_stop ends the run after the current event") {
  Simulation simulation(3);
  simulation.add_actor<Player>("alice", 1, 1);
  simulation.add_actor<Player>("bob", 0, 0);
  simulation.set_stop_condition([&] { return simulation.events_executed() == 10; });
  const auto result = simulation.run();
  CHECK(result.reason == StopReason::StopRequested);
  CHECK(simulation.events_executed() == 10);
  CHECK(simulation.pending_events() == 1);
}

TEST_CASE("the same seed gives the same fingerprint and another seed gives another") {
  CHECK(volley_fingerprint(42) == volley_fingerprint(42));
  CHECK(volley_fingerprint(42) != volley_fingerprint(43));
}

TEST_CASE("the fingerprint covers the time and destination and payload of every delivery") {
  auto run = [](Time at, const char* to, std::string payload) {
    std::vector<std::string> log;
    Simulation simulation(1);
    auto& a = simulation.add_actor<Recorder>("a", log);
    auto& b = simulation.add_actor<Recorder>("b", log);
    simulation.deliver(at, std::string(to) == "a" ? a.id() : b.id(), Delivery{a.id(), 0, std::move(payload)});
    simulation.run();
    return simulation.fingerprint();
  };
  const auto reference = run(1_s, "b", "OPTIONS sip:sip.pstnhub.microsoft.com SIP/2.0");
  CHECK(run(1_s, "b", "OPTIONS sip:sip.pstnhub.microsoft.com SIP/2.0") == reference);
  CHECK(run(1_s + 1_ns, "b", "OPTIONS sip:sip.pstnhub.microsoft.com SIP/2.0") != reference);
  CHECK(run(1_s, "a", "OPTIONS sip:sip.pstnhub.microsoft.com SIP/2.0") != reference);
  CHECK(run(1_s, "b", "OPTIONS sip:sip2.pstnhub.microsoft.com SIP/2.0") != reference);
}

TEST_CASE("observers see every delivery and leave the fingerprint alone") {
  struct Counter final : DeliveryObserver {
    int deliveries = 0;
    void on_delivery(Time, const Actor&, const Delivery&) override { ++deliveries; }
  };
  Simulation observed(42);
  observed.add_actor<Player>("alice", 1, 2);
  observed.add_actor<Player>("bob", 0, 1);
  Counter counter;
  observed.add_observer(counter);
  observed.run();
  CHECK(counter.deliveries == static_cast<int>(observed.events_executed()));
  CHECK(observed.fingerprint() == volley_fingerprint(42));
}
