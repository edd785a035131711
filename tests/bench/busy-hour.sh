#!/usr/bin/env bash
# The busy-hour benchmark of issue 4: experiments/bench-busy-hour.toml (36,000 inbound calls,
# full SIP on every hop) under /usr/bin/time -v. Prints one "name value" per line: the run's
# wall time, peak memory, calls and events, and how much faster than real time it ran.
#   busy-hour.sh [DRSIM_BINARY]   (default build/drsim)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
drsim=${1:-$root/build/drsim}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
/usr/bin/time -v "$drsim" run "$root/experiments/bench-busy-hour.toml" --out "$work/out" >"$work/stdout" 2>"$work/time"
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$work/time")
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
calls=$(sed -n 's/.* \([0-9]*\) calls (.*/\1/p' "$work/stdout")
events=$(sed -n 's/.*simulated, \([0-9]*\) events.*/\1/p' "$work/stdout")
echo "wall_seconds $wall"
echo "peak_rss_mb $((rss_kb / 1024))"
echo "calls $calls"
echo "events $events"
awk -v wall="$wall" 'BEGIN {printf "realtime_factor %.0f\n", 3600 / wall}'
echo "fingerprint $(awk '/^fingerprint:/ {print $2}' "$work/stdout")"
