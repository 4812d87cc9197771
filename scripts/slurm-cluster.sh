#!/usr/bin/env bash
# A private one-node Slurm on localhost, for the Slurm backend's tests and benchmark.
#
# usage: scripts/slurm-cluster.sh start|stop|status|env
#
#   start   install what is missing (Debian's slurmctld, slurmd, slurm-client, munge), then start a
#           private munged, slurmctld and slurmd; waits until the node is idle. Does nothing when the
#           cluster already runs.
#   stop    cancel the cluster's jobs and end its three daemons. Does nothing when it is not running.
#   status  say which daemons run and what sinfo says; exit 0 when the node is usable.
#   env     print the export line clients need: eval "$(scripts/slurm-cluster.sh env)"
#
# Exit status: 0 done; 1 failed; 3 (start) this machine cannot host it: not root, or Slurm missing
# and not installable. A start that fails ends the daemons it started (those that ran before it stay).
#
# Environment:
#   ISOFOLD_SLURM_DIR            state, config and logs       [/tmp/isofold-slurm]
#   ISOFOLD_SLURM_PORT           slurmctld's port; slurmd uses the next one  [6817]
#   ISOFOLD_SLURM_START_TIMEOUT  seconds start waits for an idle node        [30]
#
# Nothing is written outside the state directory once the packages are installed: no
# /etc/slurm/slurm.conf, no system munged. Clients find this cluster through SLURM_CONF only.
# It needs root: slurmd runs jobs as their user, and munged must run as the munge user.
#
# What it is (measured on Debian 12's Slurm 22.05.8, root, no systemd, no cgroups):
#   - no systemd and no cgroups: proctrack/linuxproc, task/none. A daemonised grandchild of a job
#     escapes scancel here; real clusters use proctrack/cgroup.
#   - 4 fake GPUs: character devices nvidia0..3 (major 195) in the state dir, listed in gres.conf;
#     slurmd rejects plain files. Slurm puts the device's index into CUDA_VISIBLE_DEVICES.
#   - MinJobAge=3600: finished jobs stay in squeue/scontrol for an hour (there is no sacct).
#   - batch_sched_delay=0,sched_min_interval=0: a job starts about 1 s after sbatch, not 3 s.
#   - Measured on 2 busy cores: install 10 s; start 1.5-2.2 s (0.14 s when already up); stop 6 s;
#     sbatch to job start 0.4-0.8 s, sbatch to squeue saying COMPLETED 0.9-1.9 s; one squeue 60-75 ms.
#     Four concurrent --gres=gpu:1 jobs got CUDA_VISIBLE_DEVICES 0, 1, 2 and 3.
#   - Not reproducible here: OUT_OF_MEMORY (needs task/cgroup; with jobacct_gather/linux,
#     OverMemoryKill and CR_Core_Memory a job over --mem is SIGKILLed and ends FAILED, "Exceeded job
#     memory limit" in its stderr), NODE_FAIL, PREEMPTED, BOOT_FAIL (need more nodes or partitions).
set -euo pipefail

STATE=${ISOFOLD_SLURM_DIR:-/tmp/isofold-slurm}
PORT=${ISOFOLD_SLURM_PORT:-6817}
START_TIMEOUT=${ISOFOLD_SLURM_START_TIMEOUT:-30}
SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

MUNGE_DIR=$STATE/munge
SOCKET=$MUNGE_DIR/munge.socket
CONF=$STATE/slurm.conf
export SLURM_CONF=$CONF

# the pid files of the daemons this start began: a start that fails ends them again, so that it
# leaves nothing running (a munged of its own, say, when another Slurm on this machine has its ports)
started=()

die() {
  echo "slurm-cluster.sh: $*" >&2
  end_started
  exit 1
}

end_started() {
  local i pid
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do
    if pid=$(live_pid "${started[i]}"); then end_process "$pid"; fi
  done
  started=()
}

# status 3: this machine cannot host the cluster at all (tests skip on it, and fail on status 1)
cannot() {
  echo "slurm-cluster.sh: $*" >&2
  exit 3
}

# pid from a pid file when that process is alive and is the daemon the file is named for, else
# nothing: a stale file whose pid now belongs to another program must not get that program killed
live_pid() {
  local file=$1 pid
  [ -s "$file" ] || return 1
  pid=$(tr -dc '0-9' <"$file")
  # /proc, not kill -0: a user who may not signal root's daemons can still see them run
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$(basename "$file" .pid)" ] && echo "$pid"
}

node_state() {
  timeout 5 sinfo -h -n localhost -o %T 2>/dev/null | head -n 1
}

install_packages() {
  local have=1
  for what in slurmctld slurmd sbatch munged; do
    command -v "$what" >/dev/null 2>&1 || [ -x "/usr/sbin/$what" ] || have=0
  done
  [ "$have" = 1 ] && return 0
  command -v apt-get >/dev/null 2>&1 || cannot "slurmctld, slurmd, sbatch or munged missing, and no apt-get to install them"
  # Debian's packages would start their system services (on /etc/slurm/slurm.conf, which does
  # not exist) from the postinst; policy-rc.d exiting 101 tells invoke-rc.d not to.
  local policy=/usr/sbin/policy-rc.d ours=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    ours=1
  fi
  echo "installing slurmctld slurmd slurm-client munge with apt-get" >&2
  local rc=0
  (
    export DEBIAN_FRONTEND=noninteractive
    # the package lists may be missing on a fresh image; update only then, it takes longer than the install
    if ! apt-cache show slurmctld >/dev/null 2>&1; then apt-get update -qq; fi
    apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge
  ) >&2 || rc=$?
  [ "$ours" = 1 ] && rm -f "$policy"
  [ "$rc" = 0 ] || cannot "apt-get install failed (status $rc)"
}

write_munge_key() {
  [ -s "$MUNGE_DIR/munge.key" ] && return 0
  dd if=/dev/urandom of="$MUNGE_DIR/munge.key" bs=1024 count=1 status=none
  chown munge:munge "$MUNGE_DIR/munge.key"
  chmod 0400 "$MUNGE_DIR/munge.key"
}

start_munge() {
  # munged refuses directories that others can write; 0755 lets a non-root client reach the socket
  install -d -m 0755 -o munge -g munge "$MUNGE_DIR"
  write_munge_key
  if ! live_pid "$MUNGE_DIR/munged.pid" >/dev/null; then
    # --force: a socket left by a munged that was killed is taken over instead of refused
    runuser -u munge -- munged --force --socket="$SOCKET" --key-file="$MUNGE_DIR/munge.key" \
      --pid-file="$MUNGE_DIR/munged.pid" --log-file="$MUNGE_DIR/munged.log" --seed-file="$MUNGE_DIR/munged.seed" \
      || die "munged did not start; see $MUNGE_DIR/munged.log"
    started+=("$MUNGE_DIR/munged.pid")
  fi
  munge -S "$SOCKET" -n | unmunge -S "$SOCKET" >/dev/null || die "munge does not answer on $SOCKET"
}

make_gpu_devices() {
  install -d -m 0755 "$STATE/dev"
  local i
  for i in 0 1 2 3; do
    local dev=$STATE/dev/nvidia$i
    [ -c "$dev" ] && continue
    rm -f "$dev"
    # a container may refuse mknod; a symlink to /dev/null is a character device to slurmd's stat
    mknod "$dev" c 195 "$i" 2>/dev/null || ln -s /dev/null "$dev"
  done
}

write_config() {
  install -d -m 0755 "$STATE/ctld" "$STATE/slurmd" "$STATE/log"
  cat >"$CONF.tmp" <<EOF
# written by scripts/slurm-cluster.sh; a private test cluster, see that script
ClusterName=isofold
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET,cred_expire=10
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/slurmd
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$STATE/log/jobcomp.txt
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
GresTypes=gpu
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=5
MinJobAge=3600
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
NodeName=localhost NodeAddr=127.0.0.1 CPUs=8 RealMemory=8000 Gres=gpu:4 State=UNKNOWN
PartitionName=main Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
  mv "$CONF.tmp" "$CONF"
  cat >"$STATE/gres.conf" <<EOF
AutoDetect=off
NodeName=localhost Name=gpu File=$STATE/dev/nvidia[0-3]
EOF
}

start() {
  [ "$(id -u)" -eq 0 ] || cannot "needs root (slurmd runs jobs as their user; munged runs as munge)"
  install_packages
  id munge >/dev/null 2>&1 || die "no munge user; is the munge package installed?"
  install -d -m 0755 "$STATE"
  local began=$SECONDS
  start_munge
  if ! live_pid "$STATE/slurmctld.pid" >/dev/null || ! live_pid "$STATE/slurmd.pid" >/dev/null; then
    make_gpu_devices
    write_config
    # -i: start even when the saved state of an earlier cluster in this directory is unreadable
    if ! live_pid "$STATE/slurmctld.pid" >/dev/null; then
      started+=("$STATE/slurmctld.pid")
      slurmctld -i || die "slurmctld did not start; see $STATE/log/slurmctld.log"
    fi
    # a second slurmd kills the first, so only ever start one
    if ! live_pid "$STATE/slurmd.pid" >/dev/null; then
      started+=("$STATE/slurmd.pid")
      slurmd -N localhost || die "slurmd did not start; see $STATE/log/slurmd.log"
    fi
  fi
  local state=""
  while [ $((SECONDS - began)) -le "$START_TIMEOUT" ]; do
    state=$(node_state || true)
    case "$state" in
      idle | mixed | allocated | completing) echo "slurm up in $((SECONDS - began)) s: node localhost $state; $0 env prints SLURM_CONF" >&2; return 0 ;;
    esac
    sleep 0.2
  done
  # slurmctld daemonises before it binds its port: one that cannot (another Slurm has it) is gone by now
  die "node not idle after ${START_TIMEOUT} s (sinfo says '${state:-nothing}'); see $STATE/log/"
}

# TERM, then KILL after 10 s; returns once the process is gone
end_process() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

stop() {
  local ctld
  if ctld=$(live_pid "$STATE/slurmctld.pid") && live_pid "$STATE/slurmd.pid" >/dev/null; then
    # jobs run under slurmstepd, which outlives slurmd: cancel them while slurmd can still end them
    local jobs
    jobs=$(timeout 10 squeue -h -t pending,running,suspended,completing -o %A 2>/dev/null || true)
    if [ -n "$jobs" ]; then
      # shellcheck disable=SC2086
      timeout 10 scancel $jobs 2>/dev/null || true
      local i
      for i in $(seq 1 100); do
        [ -z "$(timeout 5 squeue -h -t running,completing -o %A 2>/dev/null || true)" ] && break
        sleep 0.1
      done
    fi
  fi
  local file pid
  for file in "$STATE/slurmd.pid" "$STATE/slurmctld.pid" "$MUNGE_DIR/munged.pid"; do
    if pid=$(live_pid "$file"); then end_process "$pid"; fi
  done
  echo "slurm stopped" >&2
}

status() {
  local up=0 file pid
  for file in "$MUNGE_DIR/munged.pid" "$STATE/slurmctld.pid" "$STATE/slurmd.pid"; do
    if pid=$(live_pid "$file"); then
      echo "$(basename "$file" .pid): running (pid $pid)"
    else
      echo "$(basename "$file" .pid): not running"
      up=1
    fi
  done
  [ "$up" = 0 ] || return 1
  local state
  state=$(node_state || true)
  echo "node localhost: ${state:-no answer}"
  case "$state" in idle | mixed | allocated | completing) return 0 ;; *) return 1 ;; esac
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
