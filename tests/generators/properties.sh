#!/bin/bash
# The mismatch generators of semg simulate, each against the property it promises (measured by
# gen_measure from datasets made with and without the generator, same seed):
#   noise colour: periodogram slope of pink noise ~ -1 (log-log), line peaks at 50/100/150 Hz, wander power
#                 below 1 Hz, every colour at the stated SNR (coloured: exactly; white: in expectation);
#   IED error:    apparent CV of the ML delay estimator = CV / ied_scale (log-log slope -1);
#   interference: measured SIR within 0.5 dB of the sir_db column;
#   bad values:   one line naming the option, exit 2, no output.
set -u
gm=$1
. "$(dirname "$0")/lib.sh"
sim() { "$SEMG" simulate -quiet "$@" > log.txt 2>&1 || { cat log.txt; echo "FAIL semg simulate $*"; fail=1; }; }

# noise colours: 4 samples x 8 channels x 8192 times at 2 kHz (0.24 Hz bins), noise = noisy - clean
spec=(-n 4 -fs 2000 -samples 8192 -array_n 8)
sim "${spec[@]}" -snr_range 1000 -output clean.h5
for c in white pink line wander; do
  sim "${spec[@]}" -snr_range 0 -noise_colour "$c" -output "$c.h5"
  "$gm" -mode spectrum -a "$c.h5" -b clean.h5 -fmin 2 -fmax 500 -fcut 1 -lines 50,100,150 > "$c.txt" && "$gm" -mode snr -a "$c.h5" -b clean.h5 >> "$c.txt" || { echo "FAIL gen_measure $c"; fail=1; }
done
check "white: periodogram slope" "$(val slope white.txt)" -0.1 0.1
check "white: |measured SNR - snr_db| (dB)" "$(val snr_max_abs_err_db white.txt)" 0 0.3
check "pink: periodogram slope 2-500 Hz" "$(val slope pink.txt)" -1.1 -0.9
check "pink: |measured SNR - snr_db| (dB)" "$(val snr_max_abs_err_db pink.txt)" 0 1e-9
read -r _ p1 p2 p3 < <(grep '^peaks_hz' line.txt)
check "line: 1st peak (Hz)" "$p1" 49.5 50.5
check "line: 2nd peak (Hz)" "$p2" 99.5 100.5
check "line: 3rd peak (Hz)" "$p3" 149.5 150.5
check "line: power within 2 bins of 50/100/150 Hz" "$(val lines_fraction line.txt)" 0.99 1
check "line: |measured SNR - snr_db| (dB)" "$(val snr_max_abs_err_db line.txt)" 0 1e-9
check "wander: power below 1 Hz" "$(val below_fcut_fraction wander.txt)" 0.99 1
check "wander: |measured SNR - snr_db| (dB)" "$(val snr_max_abs_err_db wander.txt)" 0 1e-9

# IED error: pure delays (half-space, IZ 22 mm before the first electrode, one CV per MU), no noise
cv=(-n 16 -model halfspace -snr_range 1000 -iz_range -0.02 -iz_spread_range 0 -mu_tendon_right 0.12 -array_n 8 -array_centre 0.02,0,0
    -depth_range 0.005 -radius_range 0.001 -fibres_range 20 -samples 400)
sim "${cv[@]}" -ied_scale_range 0.9,1.1 -output ied.h5
"$gm" -mode cv -a ied.h5 > ied.txt || { echo "FAIL gen_measure cv"; fail=1; }
check "IED error: slope of log(CV_app/CV) on log(ied_scale), 0.9..1.1" "$(val cv_log_slope ied.txt)" -1.02 -0.98
check "IED error: spread of CV_app x ied_scale / CV" "$(val cv_ratio_spread ied.txt)" 0 0.005

# interference: 10 MUs (CCS) at 0..20 dB, and 3 MUs (half-space) at 5 dB; without noise
sim -n 12 -snr_range 1000 -output s0.h5
sim -n 12 -snr_range 1000 -interference_sir_range 0,20 -output s1.h5
"$gm" -mode sir -a s1.h5 -b s0.h5 > sir1.txt || { echo "FAIL gen_measure sir"; fail=1; }
check "interference (ccs, 10 MUs, 0..20 dB): samples with interference" "$(val sir_samples sir1.txt)" 12 12
check "interference (ccs): |measured SIR - sir_db| (dB)" "$(val sir_max_abs_err_db sir1.txt)" 0 0.5
sim -n 6 -model halfspace -snr_range 1000 -output h0.h5
sim -n 6 -model halfspace -snr_range 1000 -interference_sir_range 5 -interference_units 3 -output h1.h5
"$gm" -mode sir -a h1.h5 -b h0.h5 > sir2.txt || { echo "FAIL gen_measure sir"; fail=1; }
check "interference (halfspace, 3 MUs, 5 dB): |measured SIR - 5 dB|" "$(val sir_max_abs_err_db sir2.txt)" 0 0.5
# semg info shows every generator column with its range
info=$("$SEMG" info -data s1.h5 | grep '^truth ranges:')
case "$info" in *" ied_scale 1 noise_colour 0 sir_db "*..*" interference_units 10 lf_realisation n/a"*) echo "ok   semg info: $info" ;; *) echo "FAIL semg info: $info"; fail=1 ;; esac
# with noise: the SNR still refers to the sample's own MU
sim -n 12 -snr_range 10 -interference_sir_range 0,20 -output s2.h5
"$gm" -mode snr -a s2.h5 -b s1.h5 -c s0.h5 > snr2.txt || { echo "FAIL gen_measure snr"; fail=1; }
check "interference + white noise: |SNR measured on the MU alone - snr_db| (dB)" "$(val snr_max_abs_err_db snr2.txt)" 0 0.3

# bad values: one line, exit 2, no output
for bad in "-noise_colour blue" "-ied_scale_range 0" "-line_freq 3000" "-wander_freq 0" "-line_harmonics 0" "-interference_sir_range 10 -interference_units 0" "-interference_sir_range 20,10"; do
  # shellcheck disable=SC2086
  user_error "$bad" bad.h5 "$SEMG" simulate -n 2 -output bad.h5 $bad
done
exit $fail
