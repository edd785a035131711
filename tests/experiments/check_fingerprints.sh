#!/usr/bin/env bash
# Runs every pinned experiment and compares its fingerprint with tests/experiments/fingerprints.toml;
# fails if an experiments/*.toml has no pin. With --update, rewrites the pinned values instead.
#   check_fingerprints.sh [--update] DRSIM_BINARY
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
store=$root/tests/experiments/fingerprints.toml
update=0
[[ ${1:-} == --update ]] && { update=1; shift; }
drsim=${1:?usage: check_fingerprints.sh [--update] DRSIM_BINARY}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# The store is flat [[pin]] tables of key = "value" lines: read them with awk, no TOML library needed.
pins=$(awk -F' = ' '/^\[\[pin\]\]/ {if (e) print e, s, f; e=s=f=""} $1=="experiment"{gsub(/"/,"",$2); e=$2}
                     $1=="seed"{s=$2} $1=="fingerprint"{gsub(/"/,"",$2); f=$2} END {if (e) print e, s, f}' "$store")
status=0
for experiment in "$root"/experiments/*.toml; do
  relative=experiments/$(basename "$experiment")
  grep -q "^$relative " <<<"$pins" || { echo "FAIL $relative has no pinned fingerprint in $store"; status=1; }
done
while read -r experiment seed expected; do
  actual=$("$drsim" run "$root/$experiment" --seed "$seed" --out "$work/out" | awk '/^fingerprint:/ {print $2}')
  if [[ $actual == "$expected" ]]; then echo "ok   $experiment seed $seed $actual"
  elif ((update)); then
    sed -i "/experiment = \"${experiment//\//\\/}\"/,/^fingerprint/ s/^fingerprint = .*/fingerprint = \"$actual\"/" "$store"
    echo "UPDATED $experiment seed $seed: $expected -> $actual (say why in the store and the commit)"
  else echo "FAIL $experiment seed $seed: fingerprint $actual, pinned $expected"; status=1; fi
done <<<"$pins"
exit $status
