#!/usr/bin/env bash
# Runs drsim's benchmarks and the peer harnesses of ../shared/anchors side by side, in one
# run, interleaved, and prints ratios (the machines are shared and noisy: absolute figures
# from different runs are not comparable). Not part of `make test`: it takes minutes.
#
#   scripts/bench-vs-anchors.sh [phold|sip|all]      (default all; REPS=3, QUICK=1 for 1/10 size)
#
# Needs the peers' Debian packages (installed if missing): libns3-dev libsimgrid-dev
# libosip2-dev libsofia-sip-ua-dev. Builds the peers from ../shared/anchors/src into
# build/anchors (../shared is read-only); never commits them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
anchors=$root/../shared/anchors
[[ -d $anchors/src ]] || { echo "bench-vs-anchors: $anchors not found (needs ../shared beside the project)" >&2; exit 2; }
what=${1:-all}
reps=${REPS:-3}
scale=1; [[ "${QUICK:-0}" == 1 ]] && { scale=10; reps=1; }
out=$root/build/anchors
mkdir -p "$out"

need=()
for p in libns3-dev libosip2-dev libsofia-sip-ua-dev; do
  dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -q '^installed$' || need+=("$p")
done
if ((${#need[@]})); then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; fi

g++ -std=c++17 -O2 -DNDEBUG -o "$out/phold_baseline" "$anchors/src/phold_baseline.cc" &
g++ -std=c++17 -O2 -DNDEBUG -I/usr/include -o "$out/phold_ns3" "$anchors/src/phold_ns3.cc" -lns3-core &
gcc -std=c11 -O2 -DNDEBUG -D_POSIX_C_SOURCE=200809L -o "$out/sip_osip" "$anchors/src/sip_osip.c" -losipparser2 &
gcc -std=c11 -O2 -DNDEBUG -D_POSIX_C_SOURCE=200809L -I/usr/include/sofia-sip-1.12 -o "$out/sip_sofia" "$anchors/src/sip_sofia.c" -lsofia-sip-ua &
wait
cmake --build "$root/build" --target phold $( [[ -f $root/tests/bench/sip_codec.cpp ]] && echo sip_codec ) >/dev/null

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
field() { grep -o "$1=[^ ]*" | head -1 | cut -d= -f2; }

echo "# drsim vs anchors, $(date -u +%FT%TZ), $(nproc) cores, reps=$reps (median), scale=1/$scale"
if [[ $what == phold || $what == all ]]; then
  for cfg in "1000 1 5500" "1000 10 550" "100000 1 55"; do
    read -r n m t <<<"$cfg"; t=$(awk -v t="$t" -v s="$scale" 'BEGIN{print t/s}')
    declare -A runs=()
    for ((r = 0; r < reps; r++)); do
      runs[drsim]+="$("$root/build/bench/phold" --lps "$n" --init "$m" --end "$t" | awk '$1=="events_per_second"{print $2}') "
      runs[heap4]+="$("$out/phold_baseline" --impl=heap4 --n="$n" --m="$m" --t="$t" | field ev_per_s) "
      for s in MapScheduler HeapScheduler CalendarScheduler PriorityQueueScheduler; do
        runs[$s]+="$("$out/phold_ns3" --sched=ns3::$s --n="$n" --m="$m" --t="$t" 2>/dev/null | field ev_per_s) "
      done
    done
    declare -A med=()
    for k in "${!runs[@]}"; do med[$k]=$(tr ' ' '\n' <<<"${runs[$k]}" | grep . | median); done
    best_ns3=0; best_name=
    for s in MapScheduler HeapScheduler CalendarScheduler PriorityQueueScheduler; do
      if awk -v a="${med[$s]}" -v b="$best_ns3" 'BEGIN{exit !(a>b)}'; then best_ns3=${med[$s]}; best_name=$s; fi
    done
    awk -v n="$n" -v m="$m" -v t="$t" -v d="${med[drsim]}" -v h="${med[heap4]}" -v b="$best_ns3" -v bn="$best_name" 'BEGIN {
      printf "phold N=%s M=%s T=%s  drsim %.3g ev/s  heap4 %.3g  ns-3 best (%s) %.3g  drsim/ns3 %.2fx  drsim/heap4 %.2fx\n", n, m, t, d, h, bn, b, d/b, d/h }'
    unset runs med
  done
fi
if [[ $what == sip || $what == all ]] && [[ -x $root/build/bench/sip_codec ]]; then
  passes=$((30000 / scale)); corpus=("$anchors"/sip-corpus/*.sip)
  d_parse=(); d_encode=(); o_parse=(); s_parse=(); s_encode=()
  for ((r = 0; r < reps; r++)); do
    res=$("$root/build/bench/sip_codec" "$anchors/sip-corpus")
    d_parse+=("$(awk '$1=="parse_msgs_per_second"{print $2}' <<<"$res")")
    d_encode+=("$(awk '$1=="encode_msgs_per_second"{print $2}' <<<"$res")")
    o=$("$out/sip_osip" --passes=$passes "${corpus[@]}" 2>/dev/null)
    o_parse+=("$(grep ' op=parse ' <<<"$o" | field msgs_per_s)")
    s=$("$out/sip_sofia" --passes=$passes "${corpus[@]}" 2>/dev/null)
    s_parse+=("$(grep ' op=parse ' <<<"$s" | field msgs_per_s)")
    s_encode+=("$(grep ' op=encode ' <<<"$s" | field msgs_per_s)")
  done
  dp=$(printf '%s\n' "${d_parse[@]}" | median); de=$(printf '%s\n' "${d_encode[@]}" | median)
  op=$(printf '%s\n' "${o_parse[@]}" | median); sp=$(printf '%s\n' "${s_parse[@]}" | median); se=$(printf '%s\n' "${s_encode[@]}" | median)
  awk -v dp="$dp" -v de="$de" -v op="$op" -v sp="$sp" -v se="$se" 'BEGIN {
    printf "sip parse   drsim %.3g msgs/s  sofia %.3g  osip2 %.3g  drsim/sofia %.2fx  drsim/osip2 %.2fx\n", dp, sp, op, dp/sp, dp/op
    printf "sip encode  drsim %.3g msgs/s  sofia %.3g  drsim/sofia %.2fx\n", de, se, de/se }'
fi
