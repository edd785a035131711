#include "sim/experiment/call_generator.hpp"

#include <cmath>

#include "sim/core/check.hpp"

namespace experiment {

namespace {

std::string stream_name(std::size_t workload, const char* what) {
  return "workload." + std::to_string(workload) + "." + what;
}

sim::Time from_double_nanoseconds(double nanoseconds) {
  return sim::Time::from_nanoseconds(static_cast<std::int64_t>(std::llround(nanoseconds)));
}

}  // namespace

CallGenerator::CallGenerator(sim::ActorContext context, const config::ExperimentFile& experiment,
                             Deployment& deployment, trace::CallObserver& observer)
    : sim::Actor(std::move(context)), experiment_(experiment), deployment_(deployment), observer_(observer) {
  for (std::size_t i = 0; i < experiment.workloads.size(); ++i)
    workloads_.push_back(WorkloadState{&experiment.workloads[i], i, random_stream(stream_name(i, "arrivals")),
                                       random_stream(stream_name(i, "callers")), random_stream(stream_name(i, "callees")),
                                       random_stream(stream_name(i, "holding")), {}});
  next_call_ = experiment.calls.size() + 1;
}

void CallGenerator::on_start() {
  for (std::size_t i = 0; i < experiment_.calls.size(); ++i) {
    const config::ScriptedCall& call = experiment_.calls[i];
    scripted_.push_back(start_timer(call.at - now(), [this, i] {
      const config::ScriptedCall& scripted = experiment_.calls[i];
      start_call(i + 1, scripted.direction, scripted.from, scripted.to, scripted.hangup_after);
    }));
  }
  for (WorkloadState& state : workloads_) schedule_arrival(state);
}

void CallGenerator::schedule_arrival(WorkloadState& state) {
  const sim::Time mean = state.workload->rate.mean_interval();
  if (mean == sim::Time::max()) return;
  const sim::ExponentialDistribution gap(static_cast<double>(mean.nanoseconds()));
  const sim::Time at = now() + from_double_nanoseconds(gap(state.arrivals));
  if (at >= experiment_.duration) return;
  state.next_arrival = start_timer(at - now(), [this, index = state.index] { on_arrival(index); });
}

sim::Time CallGenerator::draw_holding(WorkloadState& state) const {
  const config::HoldingTime& holding = state.workload->holding;
  const double mean = static_cast<double>(holding.mean.nanoseconds());
  switch (holding.distribution) {
    case config::HoldingDistribution::Fixed: return holding.mean;
    case config::HoldingDistribution::Exponential:
      return from_double_nanoseconds(sim::ExponentialDistribution(mean)(state.holding));
    case config::HoldingDistribution::Lognormal:
      return from_double_nanoseconds(
          sim::LognormalDistribution(mean, static_cast<double>(holding.standard_deviation.nanoseconds()))(state.holding));
  }
  return holding.mean;
}

void CallGenerator::on_arrival(std::size_t index) {
  WorkloadState& state = workloads_[index];
  const config::Workload& workload = *state.workload;
  const bool inbound = workload.direction == config::CallDirection::Inbound;
  // spec: by default callers are drawn uniformly from the carrier numbers and callees from
  // all Teams users (inbound), the other way round for outbound.
  const std::vector<std::string>& callers =
      !workload.from.empty() ? workload.from : inbound ? deployment_.carrier_numbers() : deployment_.dialling_numbers();
  const std::vector<std::string>& callees =
      !workload.to.empty() ? workload.to : inbound ? deployment_.teams_numbers() : deployment_.carrier_numbers();
  const std::string& from = callers[state.callers.uniform_below(callers.size())];
  const std::string& to = callees[state.callees.uniform_below(callees.size())];
  const sim::Time holding = draw_holding(state);
  start_call(next_call_++, workload.direction, from, to, holding);
  schedule_arrival(state);
}

void CallGenerator::start_call(std::uint64_t number, config::CallDirection direction, const std::string& from,
                               const std::string& to, sim::Time holding) {
  if (direction == config::CallDirection::Inbound) {
    pstn::Carrier* carrier = deployment_.carrier_for_number(from);
    DRSIM_CHECK(carrier != nullptr, "an inbound call from a number no carrier has (load_scenario checks this)");
    carrier->place_call(number, from, to, holding);
    return;
  }
  const UserEndpoints* user = deployment_.user(from);
  DRSIM_CHECK(user != nullptr && !user->clients.empty(), "an outbound call from a user without endpoints (run_experiment checks this)");
  client::TeamsClient& caller = *user->clients.front();
  std::string leg = "client:" + caller.name() + ":" + std::to_string(number);
  // Reported before the client signals, so the trace of its PlaceCall already knows the call.
  observer_.call_started(leg, number, trace::CallDirection::Outbound, from, to, now());
  outbound_legs_[number] = std::move(leg);
  caller.dial(deployment_.controller().id(), number, to, holding, this);
}

void CallGenerator::on_outbound_progress(std::uint64_t call, sim::Time at) {
  static_cast<void>(call);
  static_cast<void>(at);
}

void CallGenerator::on_outbound_answered(std::uint64_t call, sim::Time at) {
  const auto leg = outbound_legs_.find(call);
  if (leg == outbound_legs_.end()) return;
  observer_.final_response(leg->second, 200, std::nullopt, "OK", at);
  observer_.answered(leg->second, "", at);
}

void CallGenerator::on_outbound_failed(std::uint64_t call, sim::Time at, const client::ClientSignal& failure) {
  const auto leg = outbound_legs_.find(call);
  if (leg == outbound_legs_.end()) return;
  const auto ms_code = failure.ms_code == 0 ? std::nullopt : std::optional<std::uint32_t>(failure.ms_code);
  observer_.final_response(leg->second, failure.sip_code, ms_code, failure.phrase, at);
  observer_.ended(leg->second, at);
  outbound_legs_.erase(leg);
}

void CallGenerator::on_outbound_ended(std::uint64_t call, sim::Time at) {
  const auto leg = outbound_legs_.find(call);
  if (leg == outbound_legs_.end()) return;
  observer_.ended(leg->second, at);
  outbound_legs_.erase(leg);
}

}  // namespace experiment
