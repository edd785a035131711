// PHOLD on the drsim kernel: the same model as ../shared/anchors (N LPs, M initial events
// each; each event schedules one event at now + 0.1 s + Exp(1 s) for a uniformly drawn LP;
// integer-nanosecond time; ties by insertion order).
//
//   phold --lps N --init M --end T [--seed S] [--rng drsim|anchor]
//
// --rng drsim (default): each LP draws from its named stream rng(seed, "lp-<i>", "phold") with
//   drsim's own exponential. --rng anchor: the anchors' per-LP splitmix64 and draw order, so
//   `events` and `digest` must equal the anchors' published values: a check that our queue
//   executes exactly the trajectory of every other kernel there.
// Prints one "name value" per line: events, events_per_second, fingerprint, digest,
// pending_events, bytes_per_pending_event, peak_rss_bytes.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "sim/core/simulation.hpp"

namespace {

struct Options {
  std::uint32_t lps = 1000;
  std::uint32_t init = 1;
  double end_seconds = 1000;
  std::uint64_t seed = 42;
  bool anchor_rng = false;
};

// The anchors' generator, reproduced from their published model description so the
// trajectory check is possible: splitmix64 per LP, Lemire pick, 0.1 - log1p(-u) delay.
struct AnchorRandom {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint32_t pick(std::uint32_t n) { return static_cast<std::uint32_t>(((next() >> 32) * n) >> 32); }
  std::int64_t delay_ns() {
    const double u = static_cast<double>(next() >> 11) * 0x1.0p-53;
    return static_cast<std::int64_t>((0.1 - std::log1p(-u)) * 1e9 + 0.5);
  }
};

const sim::Time kLookahead = sim::Time::from_milliseconds(100);
const sim::ExponentialDistribution kExponential(1.0);

// --rng drsim: the LP's named stream and drsim's own exponential.
struct StreamRandom {
  sim::RandomStream stream;
  std::uint32_t pick(std::uint32_t n) { return static_cast<std::uint32_t>(stream.uniform_below(n)); }
  sim::Time delay() { return kLookahead + sim::Time::from_seconds_rounded(kExponential(stream)); }
};

// --rng anchor: the anchors' generator and draw order.
struct AnchorDraws {
  AnchorRandom random;
  std::uint32_t pick(std::uint32_t n) { return random.pick(n); }
  sim::Time delay() { return sim::Time::from_nanoseconds(random.delay_ns()); }
};

// Everything an event touches fits in the actor's one cache line (the kernel's Actor header,
// the counters, the generator): with 100,000 LPs each event's LP is a cache miss, and one line
// keeps it to one.
template <class Random>
class LogicalProcess final : public sim::Actor {
 public:
  LogicalProcess(sim::ActorContext context, const Options& options, Random random)
      : Actor(std::move(context)), init_(options.init), random_(std::move(random)) {}

  void on_start() override {
    for (std::uint32_t i = 0; i < init_; ++i) simulation().post(now() + random_.delay(), id(), 0);
  }

  void on_event(std::uint32_t /*tag*/) override {
    ++count_;
    // Every actor is an LP. The Simulation's own now() is inline (Actor::now() is a call: actor.hpp
    // cannot see the Simulation); one fewer call on the per-event path.
    sim::Simulation& simulation = this->simulation();
    const auto destination = random_.pick(static_cast<std::uint32_t>(simulation.actor_count()));
    simulation.post(simulation.now() + random_.delay(), destination, 0);
  }

  std::uint64_t count() const { return count_; }

 private:
  std::uint32_t init_;
  std::uint64_t count_ = 0;
  Random random_;
};
static_assert(sizeof(LogicalProcess<StreamRandom>) == 64 && sizeof(LogicalProcess<AnchorDraws>) == 64);

std::uint64_t digest(const std::vector<std::uint64_t>& counts) {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) sum += AnchorRandom{counts[i] * 0x100000001b3ULL + i}.next();
  return sum;
}

long resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return pages_resident * sysconf(_SC_PAGESIZE);
}

long peak_resident_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6) * 1024;
  return 0;
}

[[noreturn]] void usage(const char* problem) {
  std::fprintf(stderr, "phold: %s\nusage: phold --lps N --init M --end T [--seed S] [--rng drsim|anchor]\n", problem);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) usage("every flag takes a value");
    const char* value = argv[++i];
    char* end = nullptr;
    if (flag == "--lps") options.lps = static_cast<std::uint32_t>(std::strtoul(value, &end, 10));
    else if (flag == "--init") options.init = static_cast<std::uint32_t>(std::strtoul(value, &end, 10));
    else if (flag == "--end") options.end_seconds = std::strtod(value, &end);
    else if (flag == "--seed") options.seed = std::strtoull(value, &end, 10);
    else if (flag == "--rng") {
      if (std::strcmp(value, "anchor") == 0) options.anchor_rng = true;
      else if (std::strcmp(value, "drsim") != 0) usage("--rng takes drsim or anchor");
      continue;
    } else usage("unknown flag");
    if (end == value || *end != '\0') usage("flag value is not a number");
  }
  if (options.lps == 0 || options.end_seconds <= 0) usage("--lps and --end must be positive");
  return options;
}

// Creates the LPs, runs them to the end and prints the figures.
template <class Random, class MakeRandom>
void run(const Options& options, MakeRandom make_random) {
  const auto started = std::chrono::steady_clock::now();
  sim::Simulation simulation(options.seed);
  for (std::uint32_t i = 0; i < options.lps; ++i) {
    std::string name = "lp-" + std::to_string(i);
    Random random = make_random(simulation, name);
    simulation.add_actor<LogicalProcess<Random>>(std::move(name), options, std::move(random));
  }
  const long resident_before_events = resident_bytes();
  // Schedules the initial events (on_start), executes nothing.
  simulation.run_until(sim::Time::zero());
  const std::size_t pending = simulation.pending_events();
  const long resident_with_events = resident_bytes();
  simulation.run_until(sim::Time::from_seconds_rounded(options.end_seconds));
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const std::uint64_t events = simulation.events_executed();
  std::vector<std::uint64_t> counts(options.lps);
  for (std::uint32_t i = 0; i < options.lps; ++i)
    counts[i] = static_cast<const LogicalProcess<Random>&>(simulation.actor(i)).count();
  std::printf("events %llu\n", static_cast<unsigned long long>(events));
  std::printf("events_per_second %.0f\n", static_cast<double>(events) / wall);
  std::printf("fingerprint %s\n", sim::format_fingerprint(simulation.fingerprint()).c_str());
  std::printf("digest %016llx\n", static_cast<unsigned long long>(digest(counts)));
  std::printf("pending_events %zu\n", pending);
  std::printf("bytes_per_pending_event %.1f\n",
              static_cast<double>(resident_with_events - resident_before_events) / static_cast<double>(pending));
  std::printf("peak_rss_bytes %ld\n", peak_resident_bytes());
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  if (options.anchor_rng) {
    AnchorRandom master{options.seed};
    run<AnchorDraws>(options, [&](sim::Simulation&, const std::string&) { return AnchorDraws{AnchorRandom{master.next()}}; });
  } else {
    run<StreamRandom>(options, [](sim::Simulation& simulation, const std::string& name) {
      return StreamRandom{simulation.random_stream(name, "phold")};
    });
  }
  return 0;
}
