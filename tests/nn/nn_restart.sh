# Kill and resume (spec estimator.md 3.5.4): kill -9 during training, then resume, must reproduce the
# uninterrupted run bitwise; a corrupt newer checkpoint with a DONE marker is skipped; SIGUSR1 makes
# every rank checkpoint and exit 99, the rerun resumes and ends bitwise equal; FINAL makes reruns no-ops.
source "$(dirname "$0")/nn_common.sh"
STEPS=400
"$SEMG" train -options_file train.yaml -output ref.h5 -ckpt_dir ck_ref -train_max_steps $STEPS -ckpt_interval 5 > /dev/null || fail "reference run"
# kill -9 once step 100 is checkpointed
"$SEMG" train -options_file train.yaml -output k.h5 -ckpt_dir ck_k -train_max_steps $STEPS -ckpt_interval 5 > /dev/null 2>&1 &
pid=$!
for i in $(seq 1 3000); do [ -e ck_k/DONE_00000100 ] && break; sleep 0.01; done
kill -9 $pid 2> /dev/null; wait $pid 2> /dev/null
[ -e k.h5 ] && fail "run finished before it was killed (machine too fast for this test)"
echo "killed (-9) after step 100: ok"
# fault injection: a newer checkpoint that never completed its write, with a marker
echo junk > ck_k/step_99999999.h5; : > ck_k/DONE_99999999
"$SEMG" train -options_file train.yaml -output k.h5 -ckpt_dir ck_k -train_max_steps $STEPS -ckpt_interval 5 > resume.log || fail "resume after kill"
grep -q "resumed from" resume.log || fail "did not resume"
same_state ref.h5 k.h5 && echo "kill -9 + resume == uninterrupted (bitwise): ok" || fail "resumed run differs"
# SIGUSR1 on 2 ranks: checkpoint and exit 99, then resume
$MPIEXEC $NPFLAG 2 "$SEMG" train -options_file train.yaml -output u.h5 -ckpt_dir ck_u -train_max_steps $STEPS -ckpt_interval 50 > usr1.log 2>&1 &
pid=$!
for i in $(seq 1 3000); do [ -e ck_u/DONE_00000050 ] && break; sleep 0.01; done
kill -USR1 $pid
wait $pid; rc=$?
[ $rc -eq 99 ] && echo "SIGUSR1 -> exit 99: ok" || fail "SIGUSR1 exit code $rc (expected 99)"
ls ck_u/DONE_* > /dev/null 2>&1 || fail "no DONE marker after SIGUSR1"
$MPIEXEC $NPFLAG 2 "$SEMG" train -options_file train.yaml -output u.h5 -ckpt_dir ck_u -train_max_steps $STEPS -ckpt_interval 50 > /dev/null || fail "resume after USR1"
$MPIEXEC $NPFLAG 2 "$SEMG" train -options_file train.yaml -output u2.h5 -ckpt_dir ck_u2 -train_max_steps $STEPS -ckpt_interval 50 > /dev/null || fail "2-rank reference"
same_state u.h5 u2.h5 && echo "SIGUSR1 + resume == uninterrupted (bitwise, 2 ranks): ok" || fail "USR1-resumed run differs"
# wall-clock budget: a budget far below the run time checkpoints and exits 99 at once
"$SEMG" train -options_file train.yaml -output w.h5 -ckpt_dir ck_w -train_max_steps $STEPS -max_wall_time 0.05 > /dev/null; rc=$?
[ $rc -eq 99 ] && ls ck_w/DONE_* > /dev/null 2>&1 && echo "-max_wall_time -> checkpoint + exit 99: ok" || fail "-max_wall_time exit $rc"
# FINAL: rerunning a finished run is a no-op with exit 0
"$SEMG" train -options_file train.yaml -output ref.h5 -ckpt_dir ck_ref -train_max_steps $STEPS > final.log || fail "rerun of a finished run"
grep -q "FINAL exists" final.log && echo "FINAL marker -> idempotent rerun: ok" || fail "rerun did not see FINAL"
echo "ALL PASSED"
