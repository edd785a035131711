#include "sim/experiment/experiment_run.hpp"

#include <fstream>
#include <set>

#include "sim/core/fingerprint.hpp"
#include "sim/core/simulation.hpp"
#include "sim/experiment/call_generator.hpp"
#include "sim/experiment/call_recorder.hpp"
#include "sim/experiment/deployment.hpp"
#include "sim/experiment/fault_injector.hpp"
#include "sim/experiment/run_trace.hpp"
#include "sim/trace/ladder_svg_writer.hpp"
#include "sim/trace/output_file.hpp"

namespace experiment {

namespace {

RunError output_error(const trace::OutputError& error) { return {RunError::Kind::Output, error.format()}; }

std::string ladder_title(const config::ExperimentFile& experiment, std::uint64_t number, const trace::CallRecord* record) {
  std::string title = experiment.name + ", call " + std::to_string(number);
  if (record == nullptr) return title;
  title += " (" + std::string(record->direction == trace::CallDirection::Inbound ? "inbound" : "outbound") + " " +
           record->from + " \u2192 " + record->to + ")";
  return title;
}

}  // namespace

sim::Result<RunOutcome, RunError> run_experiment(const config::Scenario& scenario, const RunOptions& options) {
  const config::ExperimentFile& experiment = scenario.experiment;
  if (!scenario.topology) return sim::Failure{RunError{RunError::Kind::BadInput, experiment.path.string() + ": error: the experiment names no topology"}};
  const config::TopologyFile& topology = *scenario.topology;

  auto stage = trace::StagedOutputFolder::create(options.output_dir);
  if (!stage.ok()) return sim::Failure{output_error(stage.error())};
  trace::StagedOutputFolder& folder = stage.value();

  sim::Simulation simulation(experiment.seed);
  CallRecorder recorder;

  std::optional<trace::PcapWriter> pcap;
  if (experiment.pcap) {
    trace::PcapOptions pcap_options;
    pcap_options.start_unix_seconds = experiment.start.unix_nanoseconds() / 1'000'000'000;
    auto opened = trace::PcapWriter::open(folder.file("trace.pcap"), pcap_options);
    if (!opened.ok()) return sim::Failure{output_error(opened.error())};
    pcap.emplace(std::move(opened).value());
  }
  std::optional<trace::EventTraceWriter> events;
  if (experiment.events) {
    auto opened = trace::EventTraceWriter::open(folder.file("events.pb"));
    if (!opened.ok()) return sim::Failure{output_error(opened.error())};
    events.emplace(std::move(opened).value());
  }
  std::set<std::uint64_t> ladder_calls(experiment.ladders.begin(), experiment.ladders.end());

  auto built = Deployment::build(simulation, topology, experiment.start, recorder);
  if (!built.ok()) return sim::Failure{RunError{RunError::Kind::BadInput, topology.path.string() + ": error: " + built.error()}};
  Deployment& deployment = *built.value();
  // A user signed in nowhere cannot dial: say so before the run rather than place no call.
  const auto cannot_dial = [&deployment](const std::string& number) {
    const UserEndpoints* user = deployment.user(number);
    return user != nullptr && user->clients.empty();
  };
  std::vector<std::string> callers;
  for (const config::ScriptedCall& call : experiment.calls)
    if (call.direction == config::CallDirection::Outbound) callers.push_back(call.from);
  for (const config::Workload& workload : experiment.workloads)
    if (workload.direction == config::CallDirection::Outbound) {
      callers.insert(callers.end(), workload.from.begin(), workload.from.end());
      if (workload.from.empty() && deployment.dialling_numbers().empty())
        return sim::Failure{RunError{RunError::Kind::BadInput, experiment.path.string() +
                                                                   ": error: an outbound workload needs a Teams user with an endpoint"}};
    }
  for (const std::string& caller : callers)
    if (cannot_dial(caller))
      return sim::Failure{RunError{RunError::Kind::BadInput, experiment.path.string() + ": error: " + caller +
                                                                 " places an outbound call but has no endpoints (signed in nowhere)"}};

  std::optional<RunTrace> run_trace;
  recorder.set_client_legs_wanted(pcap || events || !ladder_calls.empty());
  if (pcap || events || !ladder_calls.empty()) {
    run_trace.emplace(simulation, deployment, recorder, std::move(pcap), std::move(events), ladder_calls);
    deployment.network().add_observer(*run_trace);
    simulation.add_observer(*run_trace);
    recorder.set_call_started_listener(
        [&run_trace](std::uint64_t call, trace::CallDirection direction, std::string_view from, std::string_view to,
                     sim::Time at) { run_trace->call_started(call, direction, from, to, at); });
  }
  auto& generator = simulation.add_actor<CallGenerator>("calls", experiment, deployment, recorder);
  FaultListener fault_listener;
  if (run_trace)
    fault_listener = [&run_trace](const config::Fault& fault, std::size_t number, bool healed) {
      run_trace->fault_changed(fault, number, healed);
    };
  simulation.add_actor<FaultInjector>("faults", experiment.faults, deployment, std::move(fault_listener));

  // The run, in about 200 steps so progress can be shown between them.
  const sim::Time end = experiment.duration;
  const sim::Time step = sim::Time::from_nanoseconds(std::max<std::int64_t>(1, end.nanoseconds() / 200));
  for (sim::Time limit = std::min(end, step); simulation.now() < end; limit = std::min(end, limit + step)) {
    simulation.run_until(limit);
    if (options.on_progress) options.on_progress({simulation.now(), end, generator.calls_started(), simulation.events_executed()});
  }

  RunOutcome outcome;
  outcome.calls = recorder.records(end);
  outcome.summary.experiment = experiment.name;
  outcome.summary.seed = experiment.seed;
  outcome.summary.fingerprint = simulation.fingerprint();
  outcome.summary.simulated = simulation.now();
  outcome.summary.events = simulation.events_executed();
  outcome.summary.call_statistics = trace::summarize_calls(outcome.calls);

  {
    std::ofstream csv(folder.file("calls.csv"), std::ios::binary);
    trace::CallRecordCsvWriter writer(csv);
    for (const trace::CallRecord& record : outcome.calls) writer.write(record);
    csv.flush();
    if (!csv) return sim::Failure{output_error({folder.file("calls.csv"), "write failed"})};
  }
  if (run_trace) {
    for (const std::int64_t number : experiment.ladders) {
      const auto call = static_cast<std::uint64_t>(number);
      const trace::CallRecord* record = call >= 1 && call <= outcome.calls.size() ? &outcome.calls[call - 1] : nullptr;
      const std::string name = "ladder-" + std::to_string(call) + ".svg";
      std::ofstream svg(folder.file(name), std::ios::binary);
      svg << trace::render_ladder_svg(run_trace->ladder(call, ladder_title(experiment, call, record)));
      svg.flush();
      if (!svg) return sim::Failure{output_error({folder.file(name), "write failed"})};
      outcome.ladders.push_back(options.output_dir / name);
    }
    if (auto failed = run_trace->finish()) return sim::Failure{output_error(*failed)};
    outcome.tshark_decode_as = run_trace->tshark_decode_as();
    if (experiment.pcap) outcome.pcap = options.output_dir / "trace.pcap";
  }
  const std::string summary = trace::render_summary_json(outcome.summary);
  {
    std::ofstream json(folder.file("summary.json"), std::ios::binary);
    json << summary;
    json.flush();
    if (!json) return sim::Failure{output_error({folder.file("summary.json"), "write failed"})};
  }
  if (auto failed = folder.commit()) return sim::Failure{output_error(*failed)};
  outcome.output_dir = options.output_dir;
  return outcome;
}

}  // namespace experiment
