#include "models/dns/dns_resolver.hpp"

#include <algorithm>
#include <utility>

namespace dns {
namespace {

// A very long TTL (negative_ttl set to "never") must not overflow the clock.
sim::Time saturating_add(sim::Time at, sim::Time duration) {
  return duration > sim::Time::max() - at ? sim::Time::max() : at + duration;
}

}  // namespace

DnsResolver::DnsResolver(sim::Simulation& simulation, sim::ActorId owner, const DnsZone& zone, ResolverSettings settings)
    : simulation_(simulation), owner_(owner), zone_(zone), settings_(settings) {}

void DnsResolver::resolve(std::string_view name, AnswerCallback callback) {
  const sim::Time now = simulation_.now();
  if (const auto literal = net::IpAddress::parse(name)) {
    DnsAnswer answer{DnsOutcome::Addresses, {*literal}, std::string(name)};
    answer_at(now, [callback = std::move(callback), answer = std::move(answer)] { callback(answer); });
    return;
  }
  const std::string key = normalize_dns_name(name);
  if (const DnsAnswer* cached = cached_answer(key)) {
    answer_at(now, [callback = std::move(callback), answer = *cached] { callback(answer); });
    return;
  }
  // The zone is read when the query leaves; the answer and the cache entry arrive after the latency.
  const std::uint64_t zone_change_count = zone_.change_count();
  answer_at(now + settings_.lookup_latency,
            [this, key, zone_change_count, reply = zone_.query_addresses(key), callback = std::move(callback)] {
              if (!reply.forced) store(key, reply, zone_change_count);
              callback(reply.answer);
            });
}

const DnsAnswer* DnsResolver::cached_answer(const std::string& name) {
  const auto found = cache_.find(name);
  if (found == cache_.end()) return nullptr;
  const CacheEntry& entry = found->second;
  bool stale = simulation_.now() >= entry.expires_at;
  for (const std::string& link : entry.chain) stale = stale || zone_.changed_since(link, entry.zone_change_count);
  if (stale) {
    cache_.erase(found);
    return nullptr;
  }
  return &entry.answer;
}

void DnsResolver::store(const std::string& name, const ZoneReply& reply, std::uint64_t zone_change_count) {
  sim::Time ttl = reply.ttl;
  if (reply.answer.outcome != DnsOutcome::Addresses) ttl = std::min(ttl, settings_.negative_ttl);
  if (ttl <= sim::Time::zero()) return;  // TTL 0: use once, never cache (RFC 1035 §3.2.1)
  cache_[name] = CacheEntry{reply.answer, saturating_add(simulation_.now(), ttl), zone_change_count, reply.chain};
}

void DnsResolver::answer_at(sim::Time at, std::function<void()> delivery) {
  const std::uint64_t lookup = next_lookup_++;
  // The handle is erased when the timer fires; the kernel moved the callback out beforehand, so
  // erasing it from inside the callback is safe.
  in_flight_.emplace(lookup, simulation_.schedule_timer(at, owner_, [this, lookup, delivery = std::move(delivery)] {
    in_flight_.erase(lookup);
    delivery();
  }));
}

}  // namespace dns
