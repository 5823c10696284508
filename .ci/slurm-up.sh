#!/usr/bin/env bash
# Start a one-node Slurm cluster on this machine (Debian's slurm-wlm and munge), for the tests that
# submit real jobs (`dl-lab sweep --slurm`). Run as root; `.ci/run` calls it, and a developer can
# run it locally too. Idempotent: daemons already answering are left as they are.
#
#   sudo .ci/slurm-up.sh          # then: sinfo  -> one idle node named after this host
#
# What it writes: /etc/slurm/slurm.conf (only when absent or written by this script), state under
# /var/spool/slurm{ctld,d}, logs under /var/log/slurm/. No cgroups: ProctrackType=proctrack/linuxproc
# and TaskPlugin=task/none work in containers where cgroup plugins do not.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "slurm-up: run as root (it starts munged, slurmctld and slurmd)" >&2
  exit 1
fi
for daemon in munged slurmctld slurmd; do
  command -v "$daemon" >/dev/null 2>&1 || [ -x "/usr/sbin/$daemon" ] || {
    echo "slurm-up: $daemon is missing: apt-get install slurm-wlm munge" >&2
    exit 1
  }
done
export PATH="$PATH:/usr/sbin"

MARK='# written by generator-dl-lab .ci/slurm-up.sh'
CONF=/etc/slurm/slurm.conf
HOST="$(hostname -s)"
CPUS="$(nproc)"
# slurmd -C reports what slurmd itself will find; a node declaring more memory than that is drained.
MEMORY="$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')"

# ---- munge: the key must exist and belong to munge; munged refuses to run as root -------------
if ! munge -n </dev/null >/dev/null 2>&1; then
  install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
  install -d -o munge -g munge -m 0755 /run/munge
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 0400 /etc/munge/munge.key
  runuser -u munge -- munged
  for _ in $(seq 50); do munge -n </dev/null >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n </dev/null >/dev/null || { echo "slurm-up: munged does not answer" >&2; exit 1; }
fi

# ---- slurm.conf ---------------------------------------------------------------------------------
if [ -f "$CONF" ] && ! head -n1 "$CONF" | grep -qF "$MARK"; then
  echo "slurm-up: $CONF exists and was not written by this script; leaving it (and the cluster) as it is" >&2
else
  install -d -m 0755 /etc/slurm /var/log/slurm
  install -d -o slurm -g slurm -m 0755 /var/spool/slurmctld
  install -d -m 0755 /var/spool/slurmd
  cat >"$CONF.tmp" <<EOF
$MARK
ClusterName=dl-lab-ci
SlurmctldHost=$HOST
SlurmUser=slurm
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MaxArraySize=10001
MinJobAge=300
SlurmdTimeout=60
NodeName=$HOST CPUs=$CPUS RealMemory=$MEMORY State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
  mv "$CONF.tmp" "$CONF"
fi

# ---- daemons ------------------------------------------------------------------------------------
# Running already? By the pid files slurm.conf names (no procps needed).
running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
running /run/slurmctld.pid || slurmctld
for _ in $(seq 100); do scontrol ping 2>/dev/null | grep -q 'is UP' && break; sleep 0.2; done
running /run/slurmd.pid || slurmd

# ---- wait until the node is idle ------------------------------------------------------------------
for _ in $(seq 150); do
  state="$(sinfo -h -n "$HOST" -o '%t' 2>/dev/null || true)"
  case "$state" in
    idle|mix|alloc) echo "slurm-up: node $HOST is $state ($CPUS CPUs, ${MEMORY} MB)"; exit 0 ;;
    drain*|down*) scontrol update NodeName="$HOST" State=RESUME >/dev/null 2>&1 || true ;;
  esac
  sleep 0.2
done
echo "slurm-up: node $HOST did not become idle (state: ${state:-no answer}); see /var/log/slurm/" >&2
sinfo >&2 || true
exit 1
