#!/bin/bash
# The mismatch generators keep semg simulate bitwise identical on 1 and 2 ranks: every noise colour, IED
# error and interference (CCS and the tabulated layered model), data and ground truth.
set -u
. "$(dirname "$0")/lib.sh"
cases=("-noise_colour pink -snr_range 5,20 -ied_scale_range 0.9,1.1"
       "-noise_colour line -line_freq 60 -line_harmonics 4 -snr_range 10"
       "-noise_colour wander -wander_freq 0.8 -snr_range 10 -contact_gain_sd 0.1"
       "-interference_sir_range 0,20 -interference_units 4 -noise_colour pink -ied_scale_range 0.95,1.05"
       "-model layered -depth_range 0.01,0.014 -interference_sir_range 5 -interference_units 2 -ied_scale_range 1.05")
for c in "${cases[@]}"; do
  # shellcheck disable=SC2086
  "$MPIEXEC" $NPFLAG 1 "$SEMG" simulate -n 7 -seed 5 -quiet -output r1.h5 $c > log1.txt 2>&1 &&
    "$MPIEXEC" $NPFLAG 2 "$SEMG" simulate -n 7 -seed 5 -quiet -output r2.h5 $c > log2.txt 2>&1 || { cat log1.txt log2.txt; echo "FAIL simulate $c"; fail=1; continue; }
  if h5diff r1.h5 r2.h5 /emg/data > /dev/null && h5diff r1.h5 r2.h5 /ground_truth/theta > /dev/null; then echo "ok   1 = 2 ranks bitwise: $c"; else echo "FAIL 1 and 2 ranks differ: $c"; fail=1; fi
done
exit $fail
