#pragma once
// One host's stub resolver and cache (the SBC's, the Microsoft proxy's): a lookup goes to the
// zone and answers after a fixed latency; the answer is then cached for its TTL, and a cached
// answer costs no latency. Answers arrive as timer events of the owning actor, never inside
// resolve(), so a caller's state is the same whether the cache answered or the zone did.
//
// Faults: while a name is forced (DnsZone::force) a lookup that reaches it pays the latency and
// gets the forced outcome, which is never cached. Applying or healing a fault makes every cached
// answer whose CNAME chain passed through the name stale: the next lookup drops it and asks the
// zone again (at the latency), so a fault bites and heals at once instead of after a TTL.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "models/dns/dns_zone.hpp"
#include "sim/core/simulation.hpp"

namespace dns {

struct ResolverSettings {
  // One query to the recursive server and back; a constant so instants stay exact.
  sim::Time lookup_latency = sim::Time::from_nanoseconds(20'000'000);
  // How long NXDOMAIN, no-address and server-failure answers are cached. RFC 2308 §5 takes this
  // from the zone's SOA, which the topology does not give, so it is a setting.
  sim::Time negative_ttl = kDefaultTtl;
};

class DnsResolver {
 public:
  using AnswerCallback = std::function<void(const DnsAnswer&)>;

  // `zone` must outlive the resolver; callbacks run as timer events of `owner`.
  DnsResolver(sim::Simulation& simulation, sim::ActorId owner, const DnsZone& zone, ResolverSettings settings = {});

  // Answers at now + lookup_latency from the zone, or at now from the cache. An IP address
  // literal answers itself at now, without DNS (RFC 3263 §4.2 uses it directly).
  void resolve(std::string_view name, AnswerCallback callback);

  void clear_cache() { cache_.clear(); }
  std::size_t cached_names() const { return cache_.size(); }
  std::size_t lookups_in_flight() const { return in_flight_.size(); }
  const ResolverSettings& settings() const { return settings_; }

 private:
  struct CacheEntry {
    DnsAnswer answer;
    sim::Time expires_at;                // cached while now < expires_at
    std::uint64_t zone_change_count = 0; // the zone's change count when the query was sent
    std::vector<std::string> chain;
  };

  const DnsAnswer* cached_answer(const std::string& name);  // drops an expired or stale entry
  void store(const std::string& name, const ZoneReply& reply, std::uint64_t zone_change_count);
  void answer_at(sim::Time at, std::function<void()> delivery);

  sim::Simulation& simulation_;
  sim::ActorId owner_;
  const DnsZone& zone_;
  ResolverSettings settings_;
  std::map<std::string, CacheEntry, std::less<>> cache_;  // by normalized name
  std::map<std::uint64_t, sim::TimerHandle> in_flight_;   // dropping the resolver cancels them
  std::uint64_t next_lookup_ = 0;
};

}  // namespace dns
