#!/usr/bin/env bash
# A sweep on a real Slurm job array: a private one-node cluster (scripts/slurm-local.sh) runs one
# `drsim sweep --shard K/N` per array task into one shared folder, `drsim merge` combines them,
# and the result must be byte for byte what `drsim run` writes for the whole sweep.
# Usage: slurm_sweep_test.sh path/to/drsim. Skipped (and says so) without Slurm or root.
set -uo pipefail
drsim=$(realpath "$1")
root=$(cd "$(dirname "$0")/../../.." && pwd)
for tool in slurmctld slurmd sbatch squeue scontrol; do
  command -v "$tool" >/dev/null || [[ -x "/usr/sbin/$tool" ]] || { echo "skipped: slurm not present ($tool)"; exit 0; }
done
((EUID == 0)) || { echo "skipped: root not present (slurmd runs as root)"; exit 0; }

work=$(mktemp -d)
cluster="$work/slurm"
trap '"$root/scripts/slurm-local.sh" stop "$cluster" >/dev/null 2>&1; rm -rf "$work"' EXIT
failures=0
check() {  # check NAME CONDITION...
  local name=$1
  shift
  if "$@"; then echo "ok: $name"; else echo "FAILED: $name"; failures=$((failures + 1)); fi
}

# Two points x two replications of the quickstart: four runs, four array tasks.
sed 's|^topology = .*|topology = "'"$root"'/topologies/contoso-basic.toml"|' \
  "$root/experiments/quickstart.toml" >"$work/sweep.toml"
printf '[sweep]\nreplications = 2\n[sweep.grid]\n"link.contoso-hq|ms-amer.latency" = ["8ms", "40ms"]\n' >>"$work/sweep.toml"
"$drsim" run "$work/sweep.toml" --out "$work/whole" --jobs 1 >"$work/whole.out" 2>&1
check "drsim run: the whole sweep" test -f "$work/whole/sweep.csv"

started=$("$root/scripts/slurm-local.sh" start "$cluster") || { echo "FAILED: the private Slurm did not start"; exit 1; }
export "${started?}"
job=$(sbatch --parsable --array=0-3 -o "$work/task-%a.log" \
  --wrap "'$drsim' sweep '$work/sweep.toml' --shard \$SLURM_ARRAY_TASK_ID/4 --out '$work/shared' --jobs 1")
for _ in $(seq 600); do
  [[ "$(squeue -h -j "$job" 2>/dev/null | wc -l)" == 0 ]] && break
  sleep 0.1
done
completed=$(scontrol show job "$job" | grep -c 'JobState=COMPLETED')
succeeded=$(scontrol show job "$job" | grep -c 'ExitCode=0:0')
check "every array task completed" test "$completed" -eq 4
check "... with exit code 0" test "$succeeded" -eq 4
check "each task wrote its shard's file" test "$(ls "$work/shared"/sweep-shard-*-of-4.csv 2>/dev/null | wc -l)" -eq 4
check "a task says which shard it ran" grep -q "shard 3 of 4 of a sweep of 2 points x 2 replications: 1 run on 1 thread" "$work/task-3.log"

"$drsim" merge "$work/shared" >"$work/merge.out" 2>&1
check "drsim merge combines the shards" grep -q "^merged 4 shards: 4 runs$" "$work/merge.out"
check "the merged folder is the whole sweep's, byte for byte" diff -r "$work/whole" "$work/shared"
check "... with the whole sweep's fingerprint" \
  test "$(grep '^fingerprint:' "$work/merge.out")" = "$(grep '^fingerprint:' "$work/whole.out")"

echo "slurm sweep: $failures failed"
((failures == 0))
