#!/usr/bin/env bash
# Fault-injection campaign (docs/reliability.md): kill -9 at random points of simulate, train,
# estimate, leadfield and export (2 ranks), file-size limits and read-only folders, checking the invariants:
#  1. never a partial file under a final name: after a kill the output is the previous one, unchanged,
#     or a complete new one equal to an uninterrupted run;
#  2. never a lost previous output;
#  3. a rerun after the kill completes and equals the uninterrupted run (train: resumes from its
#     checkpoints, bitwise equal parameters);
#  4. no leftovers after a clean failure (exit 2: no .tmp, nothing changed).
# Usage: faults.sh [TRIALS per command, default 4]. Random delays from $RANDOM seeded by SEMG_FAULT_SEED,
# uniform in [0, 0.7 x the reference run's time] (a reference run on a busy machine is slow, and a kill
# after the end tests nothing). SEMG_FAULT_COMMANDS="train ..." restricts the kill trials.
set -uo pipefail
: "${SEMG:?}" "${MPIEXEC:=mpiexec}" "${NPFLAG:=-n}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none OPENBLAS_NUM_THREADS=1
TRIALS=${1:-4}
RANDOM=${SEMG_FAULT_SEED:-16}
S=$SEMG
top=$(mktemp -d) && trap 'umount "$top/ro" 2> /dev/null; rm -rf "$top"' EXIT
cd "$top" || exit 1
violations=0 trials=0
bad() { echo "VIOLATION: $*"; violations=$((violations + 1)); }

awk 'BEGIN { print "x,y,z"; for (i = 0; i < 4; i++) printf "%.4f,0,0\n", (i - 1.5) * 0.005 }' > E4.csv
"$S" simulate -n 64 -seed 3 -array_n 6 -samples 32 -montage dd -output t.h5 -quiet > /dev/null || exit 1
# each command: name, output, the command line (run in the trial folder), how to compare outputs
declare -A CMD OUT CMP
CMD[simulate]="simulate -n 300 -samples 128 -output out.h5 -quiet";                     OUT[simulate]=out.h5; CMP[simulate]="/emg/data"
CMD[leadfield]="leadfield -electrodes ../E4.csv -output out.h5 -vc_grid 33,33,33";      OUT[leadfield]=out.h5; CMP[leadfield]="/leadfield/values"
CMD[train]="train -data ../t.h5 -output out.h5 -enc_type mlp -enc_dense 32 -train_epochs 8 -train_global_batch 16 -ckpt_interval 1 -quiet -train_quiet"; OUT[train]=out.h5; CMP[train]="/params"
CMD[estimate]="estimate -model ../ref_train/out.h5 -data ../t.h5 -output out.csv"; OUT[estimate]=out.csv; CMP[estimate]=""
CMD[export]="export -data ../ref_simulate/out.h5 -output out.csv -truth truth.csv";   OUT[export]=out.csv;   CMP[export]=""
same_output() { # cmd file reference
  if [ -z "${CMP[$1]}" ]; then cmp -s "$2" "$3"; else h5diff "$2" "$3" "${CMP[$1]}" "${CMP[$1]}" > /dev/null 2>&1; fi
}
run2() { timeout -k 10 600 "$MPIEXEC" "$NPFLAG" 2 "$S" "$@"; }   # a hang is a violation, not a stuck CI

# uninterrupted reference runs, timed
declare -A SECS
for c in simulate leadfield train estimate export; do
  mkdir "ref_$c" && cd "ref_$c" || exit 1
  t0=$(date +%s.%N)
  # shellcheck disable=SC2086
  run2 ${CMD[$c]} > log.txt 2>&1 || { cat log.txt; echo "reference $c failed"; exit 1; }
  SECS[$c]=$(echo "$(date +%s.%N) - $t0" | bc)
  cd .. || exit 1
  echo "reference $c: ${SECS[$c]} s"
done

# kill -9 at a random point, then rerun to completion
for c in ${SEMG_FAULT_COMMANDS:-simulate leadfield train estimate export}; do
  for ((k = 0; k < TRIALS; k++)); do
    d="kill_${c}_$k"; mkdir "$d" && cd "$d" || exit 1
    echo "previous output of trial $k" > "${OUT[$c]}"   # a previous output that must survive or be replaced whole
    prev=$(md5sum < "${OUT[$c]}")
    delay=$(echo "scale=3; 0.7 * ${SECS[$c]} * $RANDOM / 32767" | bc)
    # shellcheck disable=SC2086
    setsid "$MPIEXEC" "$NPFLAG" 2 "$S" ${CMD[$c]} > log.txt 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 -- -"$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
    sleep 0.2; pkill -9 -g "$pid" 2> /dev/null   # the ranks of this trial's process group only
    trials=$((trials + 1))
    if [ "$(md5sum < "${OUT[$c]}")" != "$prev" ]; then
      same_output "$c" "${OUT[$c]}" "../ref_$c/${OUT[$c]}" || bad "$c trial $k: partial or wrong file under ${OUT[$c]} after kill -9 at $delay s"
      state=complete
    else state=previous; fi
    # shellcheck disable=SC2086
    run2 ${CMD[$c]} > log2.txt 2>&1 || bad "$c trial $k: rerun after the kill failed: $(tail -2 log2.txt)"
    same_output "$c" "${OUT[$c]}" "../ref_$c/${OUT[$c]}" || bad "$c trial $k: rerun differs from the uninterrupted run"
    [ -z "$(find . -maxdepth 1 -name '*.tmp')" ] || bad "$c trial $k: .tmp left after a completed rerun"
    echo "ok   $c kill -9 after $delay s: $state output under the final name; rerun equal to the uninterrupted run"
    cd .. || exit 1
  done
done

# file-size limits between 4 MiB and the output's size: exit 0 with the reference, or exit 2, clean
for c in simulate export; do
  size=$(( $(stat -c %s "ref_$c/${OUT[$c]}") / 1024 ))
  for ((k = 0; k < TRIALS; k++)); do
    d="limit_${c}_$k"; mkdir "$d" && cd "$d" || exit 1
    echo "previous" > "${OUT[$c]}"; prev=$(md5sum < "${OUT[$c]}")
    lim=$(( 4096 + (size > 4096 ? RANDOM % (size - 4096 + 1) : 0) ))
    # shellcheck disable=SC2086
    OMPI_MCA_btl=self,tcp timeout -k 10 300 "$MPIEXEC" "$NPFLAG" 2 bash -c "ulimit -f $lim; exec \"$S\" ${CMD[$c]}" > log.txt 2>&1; rc=$?
    trials=$((trials + 1))
    if [ $rc -eq 0 ]; then same_output "$c" "${OUT[$c]}" "../ref_$c/${OUT[$c]}" || bad "$c limit $lim KiB: exit 0 but output differs"
    elif [ $rc -eq 2 ]; then
      [ "$(md5sum < "${OUT[$c]}")" = "$prev" ] || bad "$c limit $lim KiB: previous output changed"
      [ -z "$(find . -name '*.tmp')" ] || bad "$c limit $lim KiB: .tmp left after exit 2"
      [ "$(grep -c error log.txt)" -eq 1 ] && grep -q "file size limit" log.txt || bad "$c limit $lim KiB: message: $(grep error log.txt)"
    elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then bad "$c limit $lim KiB: hang (killed after 300 s)"
    else bad "$c limit $lim KiB: exit $rc: $(tail -3 log.txt)"; fi
    echo "ok   $c with ulimit -f $lim KiB (output $size KiB): exit $rc"
    cd .. || exit 1
  done
done

# a read-only folder (a read-only tmpfs: root ignores permission bits)
mkdir ro
if mount -t tmpfs -o ro,size=1m tmpfs ro 2> /dev/null; then
  for c in simulate leadfield train estimate; do
    mkdir "ro_$c" && cd "ro_$c" || exit 1
    # shellcheck disable=SC2086
    run2 $(echo "${CMD[$c]}" | sed "s| out\.| ../ro/out.|") > log.txt 2>&1; rc=$?
    trials=$((trials + 1))
    { [ $rc -eq 2 ] && [ "$(grep -c error log.txt)" -eq 1 ] && grep -q "not writable" log.txt; } || bad "$c into a read-only folder: exit $rc: $(grep -m2 -i error log.txt)"
    echo "ok   $c into a read-only folder: exit $rc, $(grep -m1 error log.txt)"
    cd .. || exit 1
  done
else
  echo "note: cannot mount a read-only tmpfs here; read-only trials skipped"
fi

echo "fault injection: $trials trials, $violations invariant violations"
[ "$violations" -eq 0 ]
