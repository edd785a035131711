#include "sim/experiment/run_trace.hpp"

#include <algorithm>

#include "models/client/client_signal.hpp"
#include "models/teams/datacenter_message.hpp"
#include "sim/sip/parser.hpp"
#include "sim/trace/events.pb.h"

namespace experiment {

namespace {

trace::Endpoint pcap_endpoint(const net::SocketAddress& address) {
  return {trace::IpAddress::parse(address.ip.text()).value_or(trace::IpAddress{}), address.port};
}

void set_address(drsim::trace::TransportAddress& out, const net::SocketAddress& address) {
  out.set_address(address.ip.text());
  out.set_port(address.port);
}

drsim::trace::ClientSignal::Type signal_type(client::SignalKind kind) {
  using Type = drsim::trace::ClientSignal;
  switch (kind) {
    case client::SignalKind::IncomingCall: return Type::TYPE_CALL_OFFER;
    case client::SignalKind::CallProgress: return Type::TYPE_CALL_PROGRESS;
    case client::SignalKind::MediaAnswer: return Type::TYPE_MEDIA_ANSWER;
    case client::SignalKind::CallAccepted: return Type::TYPE_CALL_ACCEPTED;
    case client::SignalKind::HangUp:
    case client::SignalKind::StopRinging:
    case client::SignalKind::CallFailed: return Type::TYPE_HANG_UP;
    case client::SignalKind::PlaceCall: return Type::TYPE_CALL_OFFER;
  }
  return Type::TYPE_UNSPECIFIED;
}

// A client signal's ladder label: its kind, and for a failed call why, as calls.csv says it
// ("CallFailed 504 569008").
std::string ladder_label(const client::ClientSignal& signal) {
  std::string label(client::signal_kind_text(signal.kind));
  if (signal.kind == client::SignalKind::CallFailed) {
    label += " " + std::to_string(signal.sip_code);
    if (signal.ms_code != 0) label += " " + std::to_string(signal.ms_code);
  }
  return label;
}

int lifeline_rank(Deployment::ActorKind kind) {
  switch (kind) {
    case Deployment::ActorKind::Carrier: return 0;
    case Deployment::ActorKind::Sbc: return 1;
    case Deployment::ActorKind::Proxy: return 2;
    case Deployment::ActorKind::Client: return 3;
    case Deployment::ActorKind::Other: return 4;
  }
  return 4;
}

}  // namespace

RunTrace::RunTrace(sim::Simulation& simulation, const Deployment& deployment, const CallRecorder& recorder,
                   std::optional<trace::PcapWriter> pcap, std::optional<trace::EventTraceWriter> events,
                   std::set<std::uint64_t> ladder_calls)
    : simulation_(simulation),
      deployment_(deployment),
      recorder_(recorder),
      pcap_(std::move(pcap)),
      events_(std::move(events)),
      ladder_calls_(std::move(ladder_calls)) {}

std::string RunTrace::actor_name(std::optional<sim::ActorId> actor) const {
  return actor ? simulation_.actor_name(*actor) : std::string();
}

void RunTrace::on_packet(const net::PacketRecord& packet) {
  // A down host's actor still runs (its timers fire), but what it sends never leaves it: no
  // capture on the network sees it.
  if (packet.transit.fate == net::PathFate::SenderDown) return;
  if (pcap_) write_pcap(packet);
  const bool sip = packet.kind == net::PacketKind::Datagram ||
                   (packet.kind == net::PacketKind::Data && packet.transit.fate == net::PathFate::Delivered);
  if (sip && !packet.payload.empty() && (events_ || !ladder_calls_.empty())) trace_sip(packet);
}

void RunTrace::write_pcap(const net::PacketRecord& packet) {
  const sim::Time at = packet.sent;
  const bool delivered = packet.transit.fate == net::PathFate::Delivered;
  switch (packet.kind) {
    case net::PacketKind::Datagram:
      pcap_->udp_datagram(at, pcap_endpoint(packet.source), pcap_endpoint(packet.destination), packet.payload);
      return;
    case net::PacketKind::SynAck:
      if (!delivered) return;
      pcap_->tcp_syn_ack(at, pcap_endpoint(packet.destination), pcap_endpoint(packet.source));
      connected_.insert({packet.destination, packet.source});
      reset_.erase({packet.destination, packet.source});
      reset_.erase({packet.source, packet.destination});
      return;
    case net::PacketKind::Syn:
      // Every SYN as it is sent, answered or not (a retransmission repeats its number); a
      // firewall's reject answers at once, in the server's name.
      pcap_->tcp_syn(at, pcap_endpoint(packet.source), pcap_endpoint(packet.destination));
      if (packet.transit.fate == net::PathFate::Rejected)
        pcap_->tcp_syn_refused(at, pcap_endpoint(packet.source), pcap_endpoint(packet.destination));
      return;
    case net::PacketKind::Ack:
      // Only a handshake's last packet travels as a bare ACK here.
      if (delivered) pcap_->tcp_handshake_ack(at, pcap_endpoint(packet.source), pcap_endpoint(packet.destination));
      return;
    case net::PacketKind::Rst:
      // A RST on an open connection resets it; one to a connection the capture never saw set up
      // answers its SYN: refused. After a reset, more RSTs answer bytes the capture leaves out.
      if (is_connected(packet)) {
        pcap_->tcp_reset(at, pcap_endpoint(packet.source), pcap_endpoint(packet.destination));
        reset_.insert({packet.source, packet.destination});
      } else if (!reset_.contains({packet.source, packet.destination}) && !reset_.contains({packet.destination, packet.source})) {
        pcap_->tcp_syn_refused(at, pcap_endpoint(packet.destination), pcap_endpoint(packet.source));
      }
      forget_connection(packet);
      return;
    case net::PacketKind::Data:
      // Bytes on a connection already reset never show: the capture ends the connection there.
      if (!is_connected(packet)) return;
      if (delivered) pcap_->tcp_send(at, pcap_endpoint(packet.source), pcap_endpoint(packet.destination), packet.payload);
      // A firewall that rejects an open connection's bytes resets it in the receiver's name.
      if (packet.transit.fate == net::PathFate::Rejected) {
        pcap_->tcp_reset(at, pcap_endpoint(packet.destination), pcap_endpoint(packet.source));
        reset_.insert({packet.source, packet.destination});
        forget_connection(packet);
      }
      return;
    case net::PacketKind::Fin:
      if (!delivered) return;
      pcap_->tcp_close(at, pcap_endpoint(packet.source), pcap_endpoint(packet.destination));
      forget_connection(packet);
      return;
    default:
      return;  // TLS records and ICMP carry no SIP
  }
}

bool RunTrace::is_connected(const net::PacketRecord& packet) const {
  return connected_.contains({packet.destination, packet.source}) || connected_.contains({packet.source, packet.destination});
}

void RunTrace::forget_connection(const net::PacketRecord& packet) {
  connected_.erase({packet.destination, packet.source});
  connected_.erase({packet.source, packet.destination});
}

void RunTrace::trace_sip(const net::PacketRecord& packet) {
  const auto sender = deployment_.actor_at(packet.source.ip);
  const auto receiver = deployment_.actor_at(packet.destination.ip);
  auto parsed = sip::parse_message(packet.payload);
  std::string call_id;
  std::string label;
  if (parsed.ok()) {
    const sip::Message& message = parsed.value();
    call_id = std::string(message.call_id());
    label = message.is_request() ? std::string(message.method_text())
                                 : std::to_string(message.status_code()) + " " + std::string(message.reason_phrase());
  } else {
    label = "malformed SIP";
  }
  const std::optional<std::uint64_t> call = recorder_.call_of_leg(call_id);
  const std::string call_text = call ? std::to_string(call.value()) : std::string();
  if (events_) {
    drsim::trace::Event event;
    event.set_time_ns(packet.sent.nanoseconds());
    event.set_actor(actor_name(sender));
    event.set_call_id(call_text);
    event.set_running_fingerprint(simulation_.fingerprint());
    auto& sip_sent = *event.mutable_sip_sent();
    sip_sent.set_peer(actor_name(receiver));
    sip_sent.set_transport(packet.kind == net::PacketKind::Datagram ? drsim::trace::TRANSPORT_UDP
                                                                    : drsim::trace::TRANSPORT_TLS);
    set_address(*sip_sent.mutable_local(), packet.source);
    set_address(*sip_sent.mutable_remote(), packet.destination);
    sip_sent.set_message(std::string(packet.payload));
    events_->write(event);
  }
  if (call && sender && receiver && ladder_calls_.contains(*call))
    draw(*call, Arrow{packet.sent, *sender, *receiver, std::move(label), trace::LadderArrowKind::Sip});
}

void RunTrace::on_delivery(sim::Time time, const sim::Actor& destination, const sim::Delivery& delivery) {
  // Client signalling is the only traffic to or from a Teams client, and the backbone the only
  // one from proxy to proxy; network bytes come from hosts.
  // Only events.pb and ladders show deliveries: a pcap-only run asks nothing per delivery.
  if (!events_ && ladder_calls_.empty()) return;
  using Kind = Deployment::ActorKind;
  const Kind receiver = deployment_.kind_of(destination.id());
  const Kind sender = deployment_.kind_of(delivery.source);
  if (receiver == Kind::Proxy && sender == Kind::Proxy) return on_datacenter_message(time, destination, delivery);
  const bool to_client = receiver == Kind::Client;
  if (!to_client && sender != Kind::Client) return;
  const auto signal = client::decode_signal(delivery.payload);
  if (!signal) return;
  const sim::ActorId client = to_client ? destination.id() : delivery.source;
  const auto call = call_of_client_call(client, signal->call);
  if (events_) {
    drsim::trace::Event event = received_event(time, destination, call);
    auto& received = *event.mutable_client_signal_received();
    received.set_peer(simulation_.actor_name(delivery.source));
    received.set_type(signal_type(signal->kind));
    received.set_detail(std::string(client::signal_kind_text(signal->kind)));
    events_->write(event);
  }
  if (call && ladder_calls_.contains(*call))
    draw(*call, Arrow{time - kClientSignallingLatency, delivery.source, destination.id(), ladder_label(*signal),
                      trace::LadderArrowKind::ClientSignalling});
}

std::optional<std::uint64_t> RunTrace::call_of_client_call(sim::ActorId client, std::uint64_t reference) const {
  return recorder_.call_of_leg("client:" + simulation_.actor_name(client) + ":" + std::to_string(reference));
}

drsim::trace::Event RunTrace::received_event(sim::Time time, const sim::Actor& receiver,
                                             std::optional<std::uint64_t> call) const {
  drsim::trace::Event event;
  event.set_time_ns(time.nanoseconds());
  event.set_actor(receiver.name());
  if (call) event.set_call_id(std::to_string(*call));
  event.set_running_fingerprint(simulation_.fingerprint());
  return event;
}

void RunTrace::on_datacenter_message(sim::Time time, const sim::Actor& destination, const sim::Delivery& delivery) {
  const auto message = teams::decode_datacenter_message(delivery.payload);
  if (!message) return;
  const bool retry = message->kind == teams::DatacenterMessageKind::TrunkRetry;
  const std::string type = retry ? "TrunkRetry" : "CallerLeft";
  const auto call = call_of_client_call(message->client, message->call);
  if (events_) {
    drsim::trace::Event event = received_event(time, destination, call);
    auto& received = *event.mutable_datacenter_message_received();
    received.set_peer(simulation_.actor_name(delivery.source));
    received.set_type(type);
    if (retry) {
      std::string detail = "route:";
      for (const std::string& sbc : message->route) detail += " " + sbc;
      detail += "; so far: " + std::to_string(message->sip_code) + " " + std::to_string(message->ms_code);
      received.set_detail(detail);
    }
    events_->write(event);
  }
  if (call && ladder_calls_.contains(*call)) {
    const sim::Time latency = deployment_.backbone_latency(delivery.source, destination.id()).value_or(sim::Time::zero());
    draw(*call, Arrow{time - latency, delivery.source, destination.id(),
                      retry ? type + " " + message->route.front() : type, trace::LadderArrowKind::ClientSignalling});
  }
}

void RunTrace::call_started(std::uint64_t call_number, trace::CallDirection direction, std::string_view from,
                            std::string_view to, sim::Time at) {
  if (!events_) return;
  drsim::trace::Event event;
  event.set_time_ns(at.nanoseconds());
  event.set_call_id(std::to_string(call_number));
  auto& started = *event.mutable_call_started();
  started.set_direction(direction == trace::CallDirection::Inbound ? "inbound" : "outbound");
  started.set_from(std::string(from));
  started.set_to(std::string(to));
  events_->write(event);
}

void RunTrace::fault_changed(const config::Fault& fault, std::size_t number, bool healed) {
  if (!events_) return;
  drsim::trace::Event event;
  event.set_time_ns(simulation_.now().nanoseconds());
  event.set_actor(fault.target);
  auto& change = healed ? *event.mutable_fault_healed() : *event.mutable_fault_injected();
  change.set_kind(std::string(config::to_string(fault.kind)));
  change.set_target(fault.target);
  change.set_number(static_cast<std::uint32_t>(number));
  events_->write(event);
}

void RunTrace::draw(std::uint64_t call, Arrow arrow) { arrows_[call].push_back(std::move(arrow)); }

trace::Ladder RunTrace::ladder(std::uint64_t call_number, std::string_view title) const {
  trace::Ladder ladder;
  ladder.title = std::string(title);
  const auto found = arrows_.find(call_number);
  if (found == arrows_.end()) return ladder;
  std::vector<Arrow> arrows = found->second;
  // Client arrows are stamped back to when they left: restore time order, keeping ties stable.
  std::stable_sort(arrows.begin(), arrows.end(), [](const Arrow& a, const Arrow& b) { return a.time < b.time; });
  std::vector<sim::ActorId> actors;
  for (const Arrow& arrow : arrows)
    for (const sim::ActorId actor : {arrow.from, arrow.to})
      if (std::find(actors.begin(), actors.end(), actor) == actors.end()) actors.push_back(actor);
  std::stable_sort(actors.begin(), actors.end(), [this](sim::ActorId a, sim::ActorId b) {
    const int rank_a = lifeline_rank(deployment_.kind_of(a));
    const int rank_b = lifeline_rank(deployment_.kind_of(b));
    return rank_a != rank_b ? rank_a < rank_b : a < b;
  });
  for (const sim::ActorId actor : actors) ladder.lifelines.push_back(simulation_.actor_name(actor));
  const auto index_of = [&actors](sim::ActorId actor) {
    return static_cast<std::size_t>(std::find(actors.begin(), actors.end(), actor) - actors.begin());
  };
  ladder.origin = arrows.front().time;
  for (const Arrow& arrow : arrows)
    ladder.arrows.push_back({arrow.time, index_of(arrow.from), index_of(arrow.to), arrow.label, arrow.kind});
  return ladder;
}

std::optional<trace::OutputError> RunTrace::finish() {
  std::optional<trace::OutputError> first;
  if (pcap_) {
    decode_as_ = pcap_->tshark_decode_as();
    if (auto failed = pcap_->finish(); failed && !first) first = std::move(failed);
  }
  if (events_)
    if (auto failed = events_->finish(); failed && !first) first = std::move(failed);
  return first;
}

}  // namespace experiment
