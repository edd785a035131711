#!/usr/bin/env bash
# Installs the Debian 12 packages drsim needs to build, test and run — only the missing ones.
# Idempotent: when everything is present it runs no apt command at all, so `make test` on a
# set-up machine starts building at once. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  # toolchain
  cmake ninja-build g++ clang-14 libclang-rt-14-dev
  # libraries (DESIGN.md "Dependencies")
  libboost-graph-dev libeigen3-dev libtomlplusplus-dev libprotobuf-dev protobuf-compiler
  doctest-dev librandom123-dev libxxhash-dev libcli11-dev libabsl-dev
  # tcmalloc for the drsim binary (sim/cli/CMakeLists.txt: a quarter off the busy hour)
  libgoogle-perftools-dev
  # real tools the tests use: tshark reads our pcaps, sipp is a real SIP peer, Slurm runs a
  # sweep's shards as a job array (its services stay off: they start only with /etc/slurm/slurm.conf)
  tshark sip-tester slurmctld slurmd slurm-client
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "install-deps: missing ${missing[*]}; run as root" >&2; exit 1; }
  sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it so the install never prompts.
echo "wireshark-common wireshark-common/install-setuid boolean false" | "${sudo[@]}" debconf-set-selections
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
