#pragma once
// Until the Direct Routing models land, `drsim run` drives this small demonstration on the
// kernel: an SBC keeps OPTIONS pings going to the three Microsoft SIP proxy FQDNs over a
// jittery 12 ms link and counts the 200 OKs. It shows the run loop, timers, named random
// streams and the fingerprint end to end; it is not a model of Direct Routing.
#include <cstdint>
#include <functional>

#include "sim/core/simulation.hpp"

namespace cli {

struct KernelDemoResult {
  std::uint64_t options_sent = 0;
  std::uint64_t options_answered = 0;
};

// Builds the demo actors into `simulation`; `result` (which must outlive the run) fills in as it runs.
void add_kernel_demo(sim::Simulation& simulation, sim::Time options_interval, KernelDemoResult& result);

}  // namespace cli
