#include "sim/experiment/call_recorder.hpp"

namespace experiment {

void CallRecorder::call_started(std::string_view leg, std::uint64_t call_number, trace::CallDirection direction,
                                std::string_view from, std::string_view to, sim::Time at) {
  // Call numbers mostly grow: the hint makes the insertion constant time.
  Call& call = calls_.try_emplace(calls_.end(), call_number)->second;
  if (call_by_number_.size() <= call_number) call_by_number_.resize(call_number + 1, nullptr);
  call_by_number_[call_number] = &call;  // map nodes stay where they are
  call.root_leg = leg;
  call.record.call_id = std::to_string(call_number);
  call.record.start = at;
  call.record.direction = direction;
  call.record.from = std::string(from);
  call.record.to = std::string(to);
  call_by_leg_.insert_or_assign(sim::LookupKey(leg), call_number);
  if (call_started_listener_) call_started_listener_(call_number, direction, from, to, at);
}

void CallRecorder::legs_joined(std::string_view earlier, std::string_view later) {
  if (const auto call = call_of_leg(earlier)) {
    call_by_leg_.insert_or_assign(sim::LookupKey(later), *call);
    return;
  }
  parent_leg_.insert_or_assign(sim::LookupKey(later), std::string(earlier));
}

std::optional<std::uint64_t> CallRecorder::call_of_leg(std::string_view leg) const {
  return call_through_joins(leg, 0);
}

std::optional<std::uint64_t> CallRecorder::call_through_joins(std::string_view leg, int hops_taken) const {
  // A chain of joins is a few legs long; the bound only guards against a join cycle.
  for (int hops = hops_taken; hops < 64; ++hops) {
    if (const auto found = call_by_leg_.find(leg); found != call_by_leg_.end()) return found->second;
    const auto parent = parent_leg_.find(leg);
    if (parent == parent_leg_.end()) return std::nullopt;
    leg = parent->second;
  }
  return std::nullopt;
}

CallRecorder::Call* CallRecorder::call_for(std::string_view leg) {
  std::uint64_t number = 0;
  if (const auto found = call_by_leg_.find(leg); found != call_by_leg_.end()) {
    number = found->second;
  } else {
    // Through the joins, from the leg's parent (the leg itself just missed); the leg is then
    // resolved directly next time.
    const auto parent = parent_leg_.find(leg);
    if (parent == parent_leg_.end()) return nullptr;
    const auto resolved = call_through_joins(parent->second, 1);
    if (!resolved) return nullptr;
    number = *resolved;
    call_by_leg_.insert_or_assign(sim::LookupKey(leg), number);
    parent_leg_.erase(parent);
  }
  return number < call_by_number_.size() ? call_by_number_[number] : nullptr;
}

void CallRecorder::datacenter_used(std::string_view leg, std::string_view datacenter) {
  Call* call = call_for(leg);
  // A datacenter that hears of the call after its caller was answered or left got a stale
  // copy (an INVITE TCP kept retransmitting to a host that was down): it did not serve it.
  if (call == nullptr || call->originator_answered || call->originator_end) return;
  call->record.datacenter = std::string(datacenter);
}

void CallRecorder::failed_over(std::string_view leg, sim::Time at) {
  static_cast<void>(at);
  Call* call = call_for(leg);
  if (call == nullptr) return;
  ++call->record.failovers;
  call->record.final_sip_code = 0;
  call->record.final_ms_code.reset();
  call->record.final_sip_phrase.clear();
}

void CallRecorder::answered(std::string_view leg, std::string_view answered_by, sim::Time at) {
  Call* call = call_for(leg);
  if (call == nullptr) return;
  if (!answered_by.empty()) call->record.answered_by = std::string(answered_by);
  if (!call->first_answer) call->first_answer = at;
  if (leg == call->root_leg && !call->originator_answered) {
    call->originator_answered = true;
    call->record.setup_delay = at - call->record.start;
  }
}

void CallRecorder::final_response(std::string_view leg, int sip_code, std::optional<std::uint32_t> ms_code,
                                  std::string_view phrase, sim::Time at) {
  static_cast<void>(at);
  Call* call = call_for(leg);
  if (call == nullptr) return;
  const bool from_originator = leg == call->root_leg;
  if (call->originator_final && !from_originator) return;
  // Microsoft's code and phrase outlive a later report that has none.
  const bool keep_microsoft_words = !ms_code && call->record.final_ms_code && sip_code >= 300;
  call->record.final_sip_code = sip_code;
  if (!keep_microsoft_words) {
    call->record.final_ms_code = ms_code;
    call->record.final_sip_phrase = std::string(phrase);
  }
  if (from_originator) call->originator_final = true;
}

void CallRecorder::ended(std::string_view leg, sim::Time at) {
  Call* call = call_for(leg);
  if (call == nullptr) return;
  if (!call->first_end) call->first_end = at;
  if (leg == call->root_leg && !call->originator_end) call->originator_end = at;
}

std::vector<trace::CallRecord> CallRecorder::records(sim::Time run_end) const {
  std::vector<trace::CallRecord> out;
  out.reserve(calls_.size());
  for (const auto& [number, call] : calls_) {
    trace::CallRecord record = call.record;
    // A far end's answer the caller never heard of (the leg toward it broke first) is no setup.
    const bool failed = record.final_sip_code >= 300;
    if (!call.originator_answered && call.first_answer && !failed) record.setup_delay = *call.first_answer - record.start;
    record.end = call.originator_end.value_or(call.first_end.value_or(run_end));
    out.push_back(std::move(record));
  }
  return out;
}

}  // namespace experiment
