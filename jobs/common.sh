# Shared logic of semg's job scripts and of the scripts that submit them (sourced; docs/slurm.md).
# Site settings (module loads) go into jobs/site.env; partition, account, tasks and time are given at
# submission, never written into the scripts.
set -uo pipefail
SEMG_ROOT=${SEMG_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
export SEMG_ROOT
SEMG=${SEMG:-$SEMG_ROOT/build/bin/semg}

semg_say() { echo "[$(date -u +%FT%TZ)] ${SEMG_JOB_TAG:-semg}: $*"; }
semg_die() { local code=$1; shift; semg_say "error: $*" >&2; exit "$code"; }

# Slurm times as sbatch --time takes them and squeue %l/%L prints them, in seconds:
# M, M:S, H:M:S, D-H, D-H:M, D-H:M:S. Fails (no output) on UNLIMITED, INVALID, NOT_SET.
semg_slurm_seconds() {
  local t=$1 d=-1 a b c
  [[ $t =~ ^([0-9]+-)?[0-9]+(:[0-9]+){0,2}$ ]] || return 1
  if [[ $t == *-* ]]; then d=$(( 10#${t%%-*} )); t=${t#*-}; fi
  IFS=: read -r a b c <<< "$t"
  a=$(( 10#$a )); b=$(( 10#${b:-0} )); c=$(( 10#${c:-0} ))
  if (( d >= 0 )); then echo $(( (d * 24 + a) * 3600 + b * 60 + c ))  # D-H[:M[:S]]
  elif [[ $t == *:*:* ]]; then echo $(( a * 3600 + b * 60 + c ))       # H:M:S
  else echo $(( a * 60 + b )); fi                                        # M or M:S
}
semg_job_seconds() { semg_slurm_seconds "$(squeue -h -j "$SLURM_JOB_ID" -o "$1" 2> /dev/null)"; }  # %l limit, %L left

# The pre-timeout signal lead for a time limit: a quarter of it, between 60 s (Slurm signals up to
# 60 s early) and 300 s. A limit shorter than lead + 60 s leaves no time to train: refused.
semg_signal_lead() { local s=$(( $1 / 4 )); (( s < 60 )) && s=60; (( s > 300 )) && s=300; echo "$s"; }
SEMG_MIN_WORK=60

# Manifest of datasets: "output.h5<TAB>semg simulate options"; blank lines and # comments are
# skipped the same way by the submitter and by the array tasks. Prints the data lines.
semg_manifest_lines() {
  local file=$1 line n=0
  [ -r "$file" ] || semg_die 2 "manifest '$file' cannot be read"
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
    [[ $line == *$'\t'* ]] || semg_die 2 "manifest '$file' line $n: expected 'output.h5<TAB>options', found no TAB (spaces instead?)"
    [[ ${line%%$'\t'*} =~ ^[^[:space:]]+$ ]] || semg_die 2 "manifest '$file' line $n: the output path before the TAB is empty or has spaces"
    echo "$line"
  done < "$file"
}

# Study plan DIR/plan.tsv (written by `semg study plan`): id kind deps ranks est_seconds outputs args.
# Prints "group<TAB>id<TAB>ranks<TAB>est_seconds<TAB>deps" per step in plan order; a group is one kind
# at one rank count (train.r2), or "final" for the collect and report steps. Exits 2 on a bad plan.
semg_plan_steps() {
  local plan=$1/plan.tsv
  [ -r "$plan" ] || semg_die 2 "study plan '$plan' cannot be read (semg study plan -spec S.yaml -results DIR writes it)"
  awk -F'\t' -v plan="$plan" '
    function bad(msg) { printf "%s: error: %s line %d: %s\n", tag, plan, NR, msg > "/dev/stderr"; err = 1; exit 2 }
    BEGIN { tag = ENVIRON["SEMG_JOB_TAG"] != "" ? ENVIRON["SEMG_JOB_TAG"] : "semg" }
    NR == 1 { if ($1 != "id" || $2 != "kind" || $3 != "deps" || $4 != "ranks" || $5 != "est_seconds" || $6 != "outputs" || $7 != "args") bad("expected the header id kind deps ranks est_seconds outputs args"); next }
    /^[[:space:]]*$/ { next }
    NF < 7 { bad("7 tab-separated fields expected, found " NF) }
    $1 !~ /^[A-Za-z0-9._-]+$/ { bad("step id \"" $1 "\" is not [A-Za-z0-9._-]+") }
    $1 in seen { bad("step id " $1 " appears twice") }
    $4 !~ /^[1-9][0-9]*$/ { bad("ranks \"" $4 "\" is not a positive integer") }
    $5 !~ /^[0-9]+([.][0-9]*)?$/ { bad("est_seconds \"" $5 "\" is not a number") }
    { seen[$1] = 1; deps[NR] = $3; line[NR] = ($2 == "collect" || $2 == "report" ? "final" : $2 ".r" $4) "\t" $1 "\t" $4 "\t" $5 "\t" $3 }
    END {
      if (err) exit 2
      for (i = 2; i <= NR; i++) if (i in line) {
        n = split(deps[i], d, ",")
        for (k = 1; k <= n; k++) if (d[k] != "-" && !(d[k] in seen)) { NR = i; bad("unknown dependency " d[k]) }
        print line[i]
      }
    }' "$plan"
}

# ---- inside a batch job -----------------------------------------------------------------------
semg_job_start() {  # semg_job_start TAG: the preamble of every batch script
  SEMG_JOB_TAG=$1
  [ -n "${SLURM_JOB_ID:-}" ] || semg_die 1 "this is a Slurm batch script: submit it with sbatch (docs/slurm.md)"
  if [ -f "$SEMG_ROOT/jobs/site.env" ]; then . "$SEMG_ROOT/jobs/site.env" || semg_die 1 "$SEMG_ROOT/jobs/site.env failed"; fi
  [ -x "$SEMG" ] || semg_die 2 "no semg program at $SEMG: build it (./run build) or export SEMG=/path/to/semg at submission"
  export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1} OPENBLAS_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}
  # srun starts the ranks through PMIx (Debian's Open MPI needs --mpi=pmix) with the job's task count
  export SEMG SEMG_LAUNCH=${SEMG_LAUNCH:-srun --mpi=pmix} PATH=$(dirname "$SEMG"):$PATH
  semg_say "job ${SLURM_JOB_ID}${SLURM_ARRAY_TASK_ID:+ (array ${SLURM_ARRAY_JOB_ID:-}_$SLURM_ARRAY_TASK_ID)} on $(hostname), restart ${SLURM_RESTART_COUNT:-0}, ntasks ${SLURM_NTASKS:-1}, semg $(git -C "$SEMG_ROOT" rev-parse --short HEAD 2> /dev/null || echo unknown) in $SEMG_ROOT"
}

# Refuse a time limit that leaves no working time before the pre-timeout signal (else every run
# checkpoints at once and requeues, for ever). The submitters export SEMG_SIGNAL_LEAD with --signal.
semg_check_signal_lead() {
  local lead=${SEMG_SIGNAL_LEAD:-300} limit
  limit=$(semg_job_seconds %l) || return 0
  (( limit >= lead + SEMG_MIN_WORK )) || semg_die 2 "time limit ${limit} s leaves less than ${SEMG_MIN_WORK} s before the pre-timeout signal (${lead} s lead): request --time of at least $(( (lead + SEMG_MIN_WORK + 59) / 60 )) min, or submit with --signal=USR1@N and SEMG_SIGNAL_LEAD=N"
}

# Run a step in the foreground. Slurm's pre-timeout signal (--signal=USR1@T, without B:) goes to the
# step's ranks, which checkpoint and exit 99. The shell only notes what reached it (bash runs a trap
# once the step has exited): TERM (scancel, the hard limit) means "stop", never requeue; a USR1 sent
# to the shell (B: or scancel --full) must not kill it.
semg_run_step() {
  local rc
  SEMG_GOT_TERM=0
  trap 'SEMG_GOT_TERM=1; semg_say "TERM received (scancel or the time limit)"' TERM
  trap 'semg_say "USR1 received by the batch shell"' USR1
  "$@"; rc=$?
  trap - TERM USR1
  return "$rc"
}

# After a step exited with RC: 99 ("checkpointed, requeue me") requeues the job unless TERM stopped
# it or the restart cap is reached; the exit code tells afterok dependants whether the step finished.
semg_job_finish() {
  local rc=$1 max=${SEMG_MAX_RESTARTS:-20}
  if [ "$rc" -eq 0 ]; then semg_say "step finished"; exit 0; fi
  [ "$SEMG_GOT_TERM" -eq 0 ] || semg_die 143 "stopped by TERM (scancel or the hard time limit), step exit $rc: not requeued; resubmit the same job to resume from its checkpoint"
  [ "$rc" -eq 99 ] || semg_die "$rc" "step failed with exit $rc"
  [ "${SLURM_RESTART_COUNT:-0}" -lt "$max" ] || semg_die 99 "checkpointed, but $max restarts reached (SEMG_MAX_RESTARTS): not requeueing; resubmit to resume"
  semg_say "checkpointed after the pre-timeout signal or -max_wall_time: requeueing job $SLURM_JOB_ID (restart $(( ${SLURM_RESTART_COUNT:-0} + 1 )); it waits for EligibleTime, cred_expire = 120 s by default)"
  scontrol requeue "$SLURM_JOB_ID" || semg_die 99 "scontrol requeue $SLURM_JOB_ID failed (JobRequeue=0 or --no-requeue?): checkpoint kept; resubmit the same job to resume"
  exit 0
}

# -max_wall_time for the rest of this job minus SEMG_WALL_MARGIN seconds (unset: no budget option).
semg_wall_time_option() {
  local left
  [ -n "${SEMG_WALL_MARGIN:-}" ] || return 0
  left=$(semg_job_seconds %L) || return 0
  echo "-max_wall_time $(( left > SEMG_WALL_MARGIN ? left - SEMG_WALL_MARGIN : 1 ))"
}

# ---- submitting ------------------------------------------------------------------------------
# semg_submit NAME OPTIONS... SCRIPT ARGS...: sbatch --parsable with the installation exported; prints
# the job id. With SEMG_DRY_RUN=1 prints "NAME=$(sbatch --parsable ...)" instead and the id is $NAME,
# so the dry run reads as a script to paste.
semg_submit() {
  local name=$1 id; shift
  [[ " $* " == *" --export="* ]] || set -- --export=ALL,SEMG_ROOT="$SEMG_ROOT" "$@"
  set -- --parsable "$@"
  if [ "${SEMG_DRY_RUN:-0}" = 1 ]; then echo "$name=\$(sbatch $*)" >&2; echo "\$$name"; return 0; fi
  mkdir -p logs || return 1
  id=$(sbatch "$@") || { semg_say "error: sbatch $* failed" >&2; return 1; }
  echo "${id%%;*}"
}

# A submission failed half-way: cancel the jobs of the chain already submitted (no orphans), stop.
semg_cancel_chain() {
  local ids=() i
  for i in "$@"; do [ -z "$i" ] || ids+=("$i"); done
  [ ${#ids[@]} -eq 0 ] || [ "${SEMG_DRY_RUN:-0}" = 1 ] || scancel "${ids[@]}"
  semg_die 1 "submission failed${ids[0]:+; cancelled the jobs already submitted: ${ids[*]}}"
}

# Options for a requeueable job with time limit TIME (sbatch syntax): the signal lead fitted to it.
semg_requeue_options() {
  local limit lead
  limit=$(semg_slurm_seconds "$1") || { echo "--time=$1 --requeue --open-mode=append"; return; }
  lead=$(semg_signal_lead "$limit")
  (( limit >= lead + SEMG_MIN_WORK )) || semg_die 2 "--time=$1 is too short for a checkpointing job: at least $(( (lead + SEMG_MIN_WORK + 59) / 60 )) min"
  echo "--time=$1 --signal=USR1@$lead --requeue --open-mode=append --export=ALL,SEMG_ROOT=$SEMG_ROOT,SEMG_SIGNAL_LEAD=$lead"
}
