#pragma once
// The transaction timers of RFC 3261 §17 (Table 4 in Appendix A) and RFC 6026 §8, all derived
// from three per-actor settings: T1, T2 and T4. An actor keeps one TimerValues (from its
// configuration) and hands it to every transaction it creates.
#include <algorithm>

#include "sim/core/time.hpp"

namespace sip {

enum class TimerName : char {
  A = 'A', B = 'B', C = 'C', D = 'D', E = 'E', F = 'F', G = 'G',
  H = 'H', I = 'I', J = 'J', K = 'K', L = 'L', M = 'M'
};

struct TimerValues {
  // §17.1.1.1: T1 estimates the round-trip time; every other timer scales with it.
  sim::Time t1 = sim::Time::from_milliseconds(500);
  // §17.1.2.2: the longest retransmission interval for non-INVITE requests and INVITE responses.
  sim::Time t2 = sim::Time::from_seconds(4);
  // §17.1.2.2: the longest a message stays in the network.
  sim::Time t4 = sim::Time::from_seconds(5);
  // §16.6 step 11: a proxy's INVITE client transaction gives up on the callee after Timer C,
  // which "MUST be larger than 3 minutes"; 3 min + 1 s is the smallest whole-second value.
  sim::Time timer_c = sim::Time::from_seconds(181);
  // §17.2.1: an INVITE server transaction sends 100 Trying itself unless the TU answers
  // within 200 ms.
  sim::Time trying_delay = sim::Time::from_milliseconds(200);

  // §17.1.1.2: Timer A starts at T1 and doubles on every firing, with no cap.
  sim::Time timer_a() const { return t1; }
  // §17.1.1.2: the INVITE client transaction gives up after 64*T1.
  sim::Time timer_b() const { return t1 * 64; }
  // §17.1.1.2: "at least 32 seconds for unreliable transports", zero for reliable ones. The
  // 32 s covers the server's Timer H (64*T1) at the default T1; with a larger T1 the window
  // grows with it, so late non-2xx retransmissions still meet the transaction and its ACK.
  sim::Time timer_d(bool reliable) const {
    return reliable ? sim::Time::zero() : std::max(sim::Time::from_seconds(32), t1 * 64);
  }
  // §17.1.2.2: Timer E starts at T1, then doubles up to T2; in Proceeding it is always T2.
  sim::Time timer_e() const { return t1; }
  // §17.1.2.2: the non-INVITE client transaction gives up after 64*T1.
  sim::Time timer_f() const { return t1 * 64; }
  // §17.2.1: Timer G starts at T1, then doubles up to T2.
  sim::Time timer_g() const { return t1; }
  // §17.2.1: the INVITE server transaction waits 64*T1 for the ACK.
  sim::Time timer_h() const { return t1 * 64; }
  // §17.2.1: Confirmed absorbs ACK retransmissions for T4 on unreliable transports.
  sim::Time timer_i(bool reliable) const { return reliable ? sim::Time::zero() : t4; }
  // §17.2.2: Completed absorbs request retransmissions for 64*T1 on unreliable transports.
  sim::Time timer_j(bool reliable) const { return reliable ? sim::Time::zero() : t1 * 64; }
  // §17.1.2.2: Completed absorbs response retransmissions for T4 on unreliable transports.
  sim::Time timer_k(bool reliable) const { return reliable ? sim::Time::zero() : t4; }
  // RFC 6026 §8.7: the INVITE server transaction stays in Accepted for 64*T1.
  sim::Time timer_l() const { return t1 * 64; }
  // RFC 6026 §8.4: the INVITE client transaction stays in Accepted for 64*T1.
  sim::Time timer_m() const { return t1 * 64; }

  // §17.1.2.2 (Timer E) and §17.2.1 (Timer G): the next interval doubles, capped at T2.
  sim::Time doubled_up_to_t2(sim::Time interval) const { return std::min(interval * 2, t2); }
};

}  // namespace sip
