#pragma once
// What a run shows besides its call records: trace.pcap (every SIP message, TLS legs as the
// decrypted TCP they carry), events.pb (the SIP messages each actor sent, the client
// signalling each actor received, the calls as they start) and the arrows of the ladder
// diagrams of selected calls. It watches the network's packets and the kernel's deliveries,
// and asks the call recorder which call a leg belongs to; like every observer it never steers
// the run.
//
// Instants: a SIP message is traced when it leaves its sender (a capture at the sender); a
// client signal when it reaches its receiver, and drawn on a ladder at the instant it left
// (its latency is the deployment's constant). TCP segments appear in the pcap once, when the
// attempt that gets through is sent, so a retransmitted SIP message is never two messages.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/config/experiment_file.hpp"
#include "sim/core/simulation.hpp"
#include "sim/experiment/call_recorder.hpp"
#include "sim/experiment/deployment.hpp"
#include "sim/net/network.hpp"
#include "sim/trace/event_trace_writer.hpp"
#include "sim/trace/ladder_svg_writer.hpp"
#include "sim/trace/pcap_writer.hpp"

namespace experiment {

class RunTrace final : public net::PacketObserver, public sim::DeliveryObserver {
 public:
  // Any writer may be absent; `ladder_calls` are the call numbers to draw.
  RunTrace(sim::Simulation& simulation, const Deployment& deployment, const CallRecorder& recorder,
           std::optional<trace::PcapWriter> pcap, std::optional<trace::EventTraceWriter> events,
           std::set<std::uint64_t> ladder_calls);

  // ---- net::PacketObserver
  void on_packet(const net::PacketRecord& packet) override;
  // ---- sim::DeliveryObserver
  void on_delivery(sim::Time time, const sim::Actor& destination, const sim::Delivery& delivery) override;
  // A call started (events.pb); the recorder tells it.
  void call_started(std::uint64_t call_number, trace::CallDirection direction, std::string_view from,
                    std::string_view to, sim::Time at);
  // A fault applied or healed (events.pb).
  void fault_changed(const config::Fault& fault, std::size_t number, bool healed);

  // The ladder of one call: lifelines in path order (carrier, SBC, proxies, clients).
  trace::Ladder ladder(std::uint64_t call_number, std::string_view title) const;
  // Closes the writers; the first error, if any.
  std::optional<trace::OutputError> finish();
  const std::vector<std::string>& tshark_decode_as() const { return decode_as_; }

 private:
  struct Arrow {
    sim::Time time;
    sim::ActorId from = 0;
    sim::ActorId to = 0;
    std::string label;
    trace::LadderArrowKind kind = trace::LadderArrowKind::Sip;
  };
  void write_pcap(const net::PacketRecord& packet);
  void forget_connection(const net::PacketRecord& packet);  // either end may close or reset
  bool is_connected(const net::PacketRecord& packet) const;  // set up in the capture, either way round
  void trace_sip(const net::PacketRecord& packet);
  void on_datacenter_message(sim::Time time, const sim::Actor& destination, const sim::Delivery& delivery);
  // The call a client's call reference belongs to (its leg "client:<name>:<reference>").
  std::optional<std::uint64_t> call_of_client_call(sim::ActorId client, std::uint64_t reference) const;
  // An event of `receiver` receiving something at `time`, with the call and the fingerprint.
  drsim::trace::Event received_event(sim::Time time, const sim::Actor& receiver, std::optional<std::uint64_t> call) const;
  void draw(std::uint64_t call, Arrow arrow);
  std::string actor_name(std::optional<sim::ActorId> actor) const;

  sim::Simulation& simulation_;
  const Deployment& deployment_;
  const CallRecorder& recorder_;
  std::optional<trace::PcapWriter> pcap_;
  std::optional<trace::EventTraceWriter> events_;
  std::set<std::uint64_t> ladder_calls_;
  std::map<std::uint64_t, std::vector<Arrow>> arrows_;  // by call number
  // TCP connections the pcap has seen set up, as (client, server).
  std::set<std::pair<net::SocketAddress, net::SocketAddress>> connected_;
  // Connections the capture showed reset: bytes still arriving on one (a retransmission queue
  // flushed into a closed end) are not a new connection, and their RSTs are not refusals.
  std::set<std::pair<net::SocketAddress, net::SocketAddress>> reset_;
  std::vector<std::string> decode_as_;
};

}  // namespace experiment
