#!/usr/bin/env bash
# A private one-node Slurm cluster on localhost, for the slurm tests and for trying the job scripts
# (environment-notes.md "Slurm on one machine"): its own munge key and socket, slurm.conf, state,
# spool and log folders under DIR, its own ports; the daemons are stopped by the PIDs recorded here.
# Usage: slurm_cluster.sh start DIR   start it; then `export SLURM_CONF=DIR/slurm.conf` for sbatch & co
#        slurm_cluster.sh stop DIR    cancel its jobs, stop its daemons (by PID)
#        slurm_cluster.sh check       exit 0 if it can run here, else 77
# Exit 77 when it cannot run here (Slurm or munge not installed, not root): callers report "skipped".
set -uo pipefail
cmd=${1:-}; dir=${2:-}
[ "$cmd" = check ] || [ -n "$dir" ] || { echo "usage: slurm_cluster.sh start|stop DIR | check"; exit 2; }
say() { echo "[slurm-cluster $(date -u +%T)] $*"; }

# Requeued jobs wait cred_expire seconds before they may start again (slurm.conf(5), default 120):
# shortened here so the test's requeue costs seconds, not minutes.
CRED_EXPIRE=${SEMG_SLURM_CRED_EXPIRE:-10}

free_port() {  # the first port from $1 on that nothing listens to
  local p=$1
  while ss -Htln "sport = :$p" | grep -q .; do p=$((p + 1)); done
  echo "$p"
}

write_conf() {  # write_conf CTLD_PORT SLURMD_PORT
  local cpus mem
  cpus=$(getconf _NPROCESSORS_ONLN)  # not nproc: it follows OMP_NUM_THREADS
  mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)
  cat > "$dir/slurm.conf" <<EOF
ClusterName=semgtest
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmctldPort=$1
SlurmdPort=$2
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/socket,cred_expire=$CRED_EXPIRE
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
MpiDefault=pmix
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=5
JobRequeue=1
ReturnToService=2
MailProg=/bin/true
SchedulerParameters=sched_interval=5
# generous RPC and launch timeouts: the test machine may be heavily loaded
MessageTimeout=60
BatchStartTimeout=60
SlurmdTimeout=600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
}

start_daemon() {  # start_daemon NAME CMD...: in the background, PID into run/NAME.pid
  local name=$1; shift
  "$@" > "$dir/log/$name.out" 2>&1 &
  echo $! > "$dir/run/$name.daemon"
}

wait_for() {  # wait_for SECONDS WHAT CMD...: poll until CMD succeeds
  local t=$1 what=$2; shift 2
  for _ in $(seq 1 "$t"); do "$@" > /dev/null 2>&1 && return 0; sleep 1; done
  say "error: $what did not come up within $t s; logs in $dir/log:"; tail -5 "$dir"/log/* 2>/dev/null
  return 1
}

node_idle() { [ "$(sinfo -h -n localhost -o %T)" = idle ]; }

available() {  # exit 77 unless the daemons are installed and we are root
  local tool
  export PATH=$PATH:/usr/sbin
  for tool in slurmctld slurmd munged mungekey sbatch; do
    command -v "$tool" > /dev/null || { say "skipped: $tool not installed (apt-get install slurm-wlm munge)"; exit 77; }
  done
  [ "$(id -u)" -eq 0 ] || { say "skipped: a private slurmd runs jobs only as root here"; exit 77; }
}

start() {
  local p
  available
  [ ! -e "$dir/run" ] || { say "error: $dir holds a cluster already (stop it first)"; exit 2; }
  mkdir -p "$dir"/{state,spool,log,run,munge} && chmod 755 "$dir" "$dir/munge" || exit 1
  mungekey -c -k "$dir/munge/key" || exit 1
  start_daemon munged munged -F --socket="$dir/munge/socket" --key-file="$dir/munge/key" \
    --pid-file="$dir/run/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/seed"
  wait_for 20 munged test -S "$dir/munge/socket" || return 1
  p=$(free_port $((20000 + $$ % 20000)))
  write_conf "$p" "$(free_port $((p + 1)))"
  export SLURM_CONF=$dir/slurm.conf
  start_daemon slurmctld slurmctld -D -i -f "$SLURM_CONF"
  wait_for 30 slurmctld scontrol ping || return 1
  start_daemon slurmd slurmd -D -N localhost -f "$SLURM_CONF"
  wait_for 60 "the node" node_idle || return 1
  say "up: SLURM_CONF=$SLURM_CONF, slurmctld port $p, munge socket $dir/munge/socket, requeue wait ${CRED_EXPIRE} s"
}

stop() {
  local name pid jobs
  [ -d "$dir/run" ] || return 0
  export SLURM_CONF=$dir/slurm.conf PATH=$PATH:/usr/sbin
  if [ -f "$dir/run/slurmctld.daemon" ] && scontrol ping > /dev/null 2>&1; then
    jobs=$(squeue -h -o %A | sort -u)
    # shellcheck disable=SC2086
    [ -z "$jobs" ] || { scancel $jobs; for _ in $(seq 1 30); do [ -z "$(squeue -h -t R,CG -o %i)" ] && break; sleep 1; done; }
  fi
  for name in slurmd slurmctld munged; do
    [ -f "$dir/run/$name.daemon" ] || continue
    pid=$(cat "$dir/run/$name.daemon")
    # only our daemon: a stale PID file (a killed test) may name another process by now
    tr '\0' ' ' < "/proc/$pid/cmdline" 2> /dev/null | grep -q "$name.*$dir" || { rm -f "$dir/run/$name.daemon"; continue; }
    kill "$pid" 2> /dev/null && for _ in $(seq 1 20); do kill -0 "$pid" 2> /dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2> /dev/null && kill -9 "$pid"
    rm -f "$dir/run/$name.daemon"
  done
  rm -rf "$dir/run"
  say "stopped"
}

case "$cmd" in
  start) start || { stop; exit 1; } ;;
  stop) stop ;;
  check) available ;;
  *) echo "usage: slurm_cluster.sh start|stop DIR | check"; exit 2 ;;
esac
