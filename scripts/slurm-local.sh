#!/usr/bin/env bash
# A private single-node Slurm cluster on loopback, for tests of `drsim sweep` on a job array
# (tests/sim/cli/slurm_sweep_test.sh) and for trying the README's cluster recipe on one machine.
# No systemd, no munge (auth/none), its own ports, everything under DIR; needs root (slurmd).
#   slurm-local.sh start DIR   prints the line to export: SLURM_CONF=DIR/slurm.conf
#   slurm-local.sh stop DIR
# Debian 12: apt-get install slurmctld slurmd slurm-client (scripts/install-deps.sh does).
set -euo pipefail
command=${1:-}
dir=${2:-}
[[ -n "$dir" && ( "$command" == start || "$command" == stop ) ]] || { echo "usage: slurm-local.sh start|stop DIR" >&2; exit 2; }
# Not the standard 6817/6818, so a machine that runs a real Slurm keeps it.
controller_port=16817
node_port=16818

stop() {
  for daemon in slurmd slurmctld; do
    [[ -f "$dir/$daemon.pid" ]] && kill "$(cat "$dir/$daemon.pid")" 2>/dev/null || true
  done
  for _ in $(seq 100); do  # until they are gone and their ports free: a restart needs them
    alive=0
    for daemon in slurmd slurmctld; do
      [[ -f "$dir/$daemon.pid" ]] && kill -0 "$(cat "$dir/$daemon.pid")" 2>/dev/null && alive=1
    done
    ((alive == 0)) && ! ss -Hltn "( sport = :$controller_port or sport = :$node_port )" | grep -q . && break
    sleep 0.1
  done
  rm -f "$dir"/slurmd.pid "$dir"/slurmctld.pid
}

if [[ "$command" == stop ]]; then
  stop
  exit 0
fi

stop
rm -rf "$dir/state" "$dir/spool" "$dir/log"
mkdir -p "$dir/state" "$dir/spool" "$dir/log"
host=$(hostname -s)
# SlurmctldHost must be this host's short name (slurmctld checks it); traffic stays on 127.0.0.1.
# batch_sched_delay=0: array tasks start at once instead of on the scheduler's 3 s cadence.
cat >"$dir/slurm.conf" <<EOF
ClusterName=drsim-local
SlurmctldHost=$host(127.0.0.1)
AuthType=auth/none
CredType=cred/none
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$controller_port
SlurmdPort=$node_port
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
Waittime=0
NodeName=localnode NodeAddr=127.0.0.1 NodeHostname=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=local Nodes=localnode Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
export SLURM_CONF="$dir/slurm.conf"
/usr/sbin/slurmctld -c -i  # daemonizes; -c: a fresh state
/usr/sbin/slurmd -N localnode
for _ in $(seq 300); do
  [[ "$(sinfo -h -n localnode -o %T 2>/dev/null)" == idle ]] && { echo "SLURM_CONF=$dir/slurm.conf"; exit 0; }
  sleep 0.1
done
echo "slurm-local: the node did not come up in 30 s; logs in $dir/log" >&2
stop
exit 1
