# Rank invariance (spec estimator.md 3.5.3): 50 steps on 1, 2 and 4 ranks (4 oversubscribed) with the
# fixed-order reduction give bitwise-identical weights; without it 1 vs 2 ranks agree to rounding.
source "$(dirname "$0")/nn_common.sh"
for w in 1 2 4; do
  $MPIEXEC $NPFLAG $w "$SEMG" train -options_file train.yaml -output b$w.h5 -train_chunks 4 -train_max_steps 50 > /dev/null || fail "train W=$w"
done
same_state b1.h5 b2.h5 && echo "tier B: W=1 vs W=2 bitwise equal: ok" || fail "tier B W=1 vs W=2 differ"
same_state b1.h5 b4.h5 && echo "tier B: W=1 vs W=4 bitwise equal: ok" || fail "tier B W=1 vs W=4 differ"
for w in 1 2; do
  $MPIEXEC $NPFLAG $w "$SEMG" train -options_file train.yaml -output a$w.h5 -train_max_steps 50 > /dev/null || fail "train tier A W=$w"
done
h5diff -p 1e-10 a1.h5 a2.h5 /params > /dev/null && echo "plain allreduce: W=1 vs W=2 relative <= 1e-10: ok" || fail "plain allreduce differs by more than 1e-10"
echo "ALL PASSED"
