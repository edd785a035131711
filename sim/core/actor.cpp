#include "sim/core/actor.hpp"

#include "sim/core/simulation.hpp"

namespace sim {

Actor::Actor(ActorContext context)
    : simulation_(context.simulation), id_(context.id) {}

const std::string& Actor::name() const { return simulation_.actor_name(id_); }

Time Actor::now() const { return simulation_.now(); }

void Actor::on_event(std::uint32_t /*tag*/) { DRSIM_CHECK(false, "actor received a posted event it does not handle"); }

void Actor::on_receive(const Delivery& /*delivery*/) {
  DRSIM_CHECK(false, "actor received bytes it does not handle");
}

RandomStream Actor::random_stream(std::string_view stream_name) const {
  return simulation_.random_stream(name(), stream_name);
}

TimerHandle Actor::start_timer(Time delay, TimerCallback callback) {
  return simulation_.schedule_timer(now() + delay, id_, std::move(callback));
}

void Actor::post(ActorId target, Time delay, std::uint32_t tag) { simulation_.post(now() + delay, target, tag); }

void Actor::send(ActorId target, Time delay, std::string payload, std::uint64_t channel) {
  simulation_.deliver(now() + delay, target, Delivery{id_, channel, std::move(payload)});
}

}  // namespace sim
