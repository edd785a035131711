#pragma once
// The experiment's callers: the scripted [[call]]s at their instants (call numbers 1, 2, ...
// in file order) and each [[workload]]'s Poisson arrivals (numbers after the scripted ones, in
// the order calls start). An inbound call is placed by the carrier that owns the calling
// number; an outbound call is dialled by the calling user's first endpoint through the call
// controller, and this generator reports it to the call recorder (a Teams client has no
// CallObserver of its own) from what the client hears.
//
// Randomness: workload i draws from the named streams rng(seed, "calls", "workload.<i>.<what>")
// for its arrivals, callers, callees and holding times, so adding a workload or a call never
// shifts another workload's draws.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "models/client/teams_client.hpp"
#include "sim/config/experiment_file.hpp"
#include "sim/core/actor.hpp"
#include "sim/core/rng.hpp"
#include "sim/experiment/deployment.hpp"
#include "sim/trace/call_observer.hpp"

namespace experiment {

class CallGenerator final : public sim::Actor, private client::OutboundCallListener {
 public:
  CallGenerator(sim::ActorContext context, const config::ExperimentFile& experiment, Deployment& deployment,
                trace::CallObserver& observer);

  void on_start() override;
  std::uint64_t calls_started() const { return next_call_ - 1; }

 private:
  struct WorkloadState {
    const config::Workload* workload = nullptr;
    std::size_t index = 0;
    sim::RandomStream arrivals;
    sim::RandomStream callers;
    sim::RandomStream callees;
    sim::RandomStream holding;
    sim::TimerHandle next_arrival;
  };

  void start_call(std::uint64_t number, config::CallDirection direction, const std::string& from,
                  const std::string& to, sim::Time holding);
  void schedule_arrival(WorkloadState& state);
  void on_arrival(std::size_t workload);
  sim::Time draw_holding(WorkloadState& state) const;

  // ---- client::OutboundCallListener
  void on_outbound_progress(std::uint64_t call, sim::Time at) override;
  void on_outbound_answered(std::uint64_t call, sim::Time at) override;
  void on_outbound_failed(std::uint64_t call, sim::Time at, const client::ClientSignal& failure) override;
  void on_outbound_ended(std::uint64_t call, sim::Time at) override;

  const config::ExperimentFile& experiment_;
  Deployment& deployment_;
  trace::CallObserver& observer_;
  std::vector<sim::TimerHandle> scripted_;
  std::vector<WorkloadState> workloads_;
  std::map<std::uint64_t, std::string> outbound_legs_;  // call number → the client's leg, while up
  std::uint64_t next_call_ = 1;
};

}  // namespace experiment
