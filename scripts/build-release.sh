#!/usr/bin/env bash
# Builds build-release/drsim with GCC profile-guided optimization (`make release`, README
# "Set-up"): an instrumented build, a training run of the shipped experiments, then the same
# build directory rebuilt with the profile (the .gcda files are named after each object's
# absolute path, so GENERATE and USE must share the directory). About 4-5 minutes at -j2.
# Results are bit-identical to build/drsim: tests/experiments/check_fingerprints.sh proves it.
#   build-release.sh      (JOBS=N sets build parallelism, default 2; BUILD_RELEASE=DIR the directory)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_RELEASE:-$root/build-release}
jobs=${JOBS:-2}
profile=$build/pgo-profile
say() { echo "build-release: [${SECONDS}s] $*" >&2; }

bash "$root/scripts/install-deps.sh" >&2

configure() {  # PGO_MODE
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=g++ \
    -DDRSIM_PGO="$1" -DDRSIM_PGO_DIR="$profile" >/dev/null
}

say "1/3 instrumented build (DRSIM_PGO=GENERATE) in $build"
configure GENERATE
cmake --build "$build" -j "$jobs" --target drsim >&2

# Counters add up over runs; stale ones (another source tree state) would skew or mismatch.
rm -rf "$profile"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# The busy hour is what the profile is for (~8 s instrumented); the other shipped experiments
# take well under a second each and train the fault, failover, TLS and trace-writing paths.
say "2/3 training on experiments/*.toml"
for experiment in "$root"/experiments/*.toml; do
  name=$(basename "$experiment" .toml)
  # --jobs 1: a sweep's runs on one thread, as -fprofile-update=single's counters assume.
  if ! "$build/drsim" run "$experiment" --out "$work/$name" --jobs 1 >"$work/$name.log" 2>&1; then
    cat "$work/$name.log" >&2
    say "training run of experiments/$name.toml failed; no profile-optimized build made"
    exit 1
  fi
  say "  trained on experiments/$name.toml"
done
say "  profile in $profile"
compgen -G "$profile/*.gcda" >/dev/null || { say "no .gcda files in $profile after training"; exit 1; }

say "3/3 profile-optimized build (DRSIM_PGO=USE)"
configure USE
cmake --build "$build" -j "$jobs" --target drsim >&2
say "done: ${build#"$root"/}/drsim"
echo "${build#"$root"/}/drsim"
