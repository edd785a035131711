#pragma once
// Builds calls.csv's rows from what the models report (trace::CallObserver). Each model speaks
// only of the legs it handles; the recorder follows legs_joined back to the leg the call
// started on and merges the reports into one CallRecord per call:
//  * the originator's own reports (on the call's first leg) decide the final SIP code, the
//    setup delay and the end, since calls.csv describes the call as its caller lived it;
//  * a Microsoft code and its phrase, reported by the proxy, survive a later report without
//    one (the carrier only hears "404 Not Found", Microsoft said 511404 on the way);
//  * a non-empty answered_by (the Teams endpoint that answered) survives a later empty one
//    (the carrier's "answered" at the far end of the same call);
//  * a failover clears the final answer heard so far: the call moved on and the next
//    datacenter or SBC will give its own;
//  * the datacenter is the last one reported before the caller was answered or left.
// Reports may come in any order: a leg joined before its parent is known is resolved when the
// records are read.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/lookup_key.hpp"
#include "sim/core/lookup_map.hpp"
#include "sim/core/time.hpp"
#include "sim/trace/call_observer.hpp"
#include "sim/trace/call_record_writer.hpp"

namespace experiment {

class CallRecorder final : public trace::CallObserver {
 public:
  // Movable, not copyable: call_by_number_ points into calls_'s own nodes.
  CallRecorder() = default;
  CallRecorder(CallRecorder&&) = default;
  CallRecorder& operator=(CallRecorder&&) = default;
  CallRecorder(const CallRecorder&) = delete;
  CallRecorder& operator=(const CallRecorder&) = delete;

  // Told of every call as it starts (the event trace records it); never steers.
  using CallStartedListener = std::function<void(std::uint64_t call_number, trace::CallDirection direction,
                                                 std::string_view from, std::string_view to, sim::Time at)>;
  void set_call_started_listener(CallStartedListener listener) { call_started_listener_ = std::move(listener); }

  void call_started(std::string_view leg, std::uint64_t call_number, trace::CallDirection direction,
                    std::string_view from, std::string_view to, sim::Time at) override;
  void legs_joined(std::string_view earlier, std::string_view later) override;
  bool wants_client_legs() const override { return client_legs_wanted_; }
  // Off when nothing traces the run (see CallObserver::wants_client_legs).
  void set_client_legs_wanted(bool wanted) { client_legs_wanted_ = wanted; }
  void datacenter_used(std::string_view leg, std::string_view datacenter) override;
  void failed_over(std::string_view leg, sim::Time at) override;
  void answered(std::string_view leg, std::string_view answered_by, sim::Time at) override;
  void final_response(std::string_view leg, int sip_code, std::optional<std::uint32_t> ms_code,
                      std::string_view phrase, sim::Time at) override;
  void ended(std::string_view leg, sim::Time at) override;

  // The experiment call number a leg belongs to, once its chain of joins reaches a started call.
  std::optional<std::uint64_t> call_of_leg(std::string_view leg) const;
  // One record per started call, by call number. A call still up at `run_end` ends there with
  // final code 0 unless the originator heard a final answer.
  std::vector<trace::CallRecord> records(sim::Time run_end) const;
  std::size_t calls_started() const { return calls_.size(); }

 private:
  struct Call {
    sim::LookupKey root_leg;  // inline: every report compares it, and a heap string would miss the cache
    trace::CallRecord record;
    bool originator_final = false;     // the originator reported its final answer
    bool originator_answered = false;  // the originator reported the answer
    std::optional<sim::Time> first_answer;
    std::optional<sim::Time> originator_end;
    std::optional<sim::Time> first_end;
  };
  Call* call_for(std::string_view leg);
  // call_of_leg, for a walk already `hops_taken` joins along.
  std::optional<std::uint64_t> call_through_joins(std::string_view leg, int hops_taken) const;

  // Leg lookups happen on every report and traced message, over hundreds of thousands of legs
  // in a busy hour: hash maps, which is safe here because nothing iterates them.
  template <class Value>
  using LegMap = sim::StringLookupMap<Value>;

  std::map<std::uint64_t, Call> calls_;    // by call number: records() iterates it in order
  // calls_'s entries by call number (null: not started), for the lookup every report makes:
  // call numbers are dense from 1, and a vector index beats a walk down a tree of every call.
  std::vector<Call*> call_by_number_;
  LegMap<std::uint64_t> call_by_leg_;      // resolved legs
  LegMap<std::string> parent_leg_;         // later → earlier, until the earlier one resolves
  CallStartedListener call_started_listener_;
  bool client_legs_wanted_ = true;
};

}  // namespace experiment
