#!/usr/bin/env bash
# The hostile-input matrix (docs/reliability.md): semg given other people's files, odd paths, full
# disks and wrong options. Every case asserts the exit code, for a failure exactly one error line that
# names the culprit (no PETSc/HDF5 traceback, no MPI abort banner), and that no file in the working
# folder changed, appeared or was left behind (checksums before and after).
# Usage: hostile.sh fixtures DIR     make the shared inputs once (CTest fixture)
#        hostile.sh case NAME DIR    run one case in a copy of DIR
#        hostile.sh list             the case names (CMake registers one test per case)
set -uo pipefail
: "${SEMG:=semg}" "${MPIEXEC:=mpiexec}" "${NPFLAG:=-n}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none OPENBLAS_NUM_THREADS=1
S=$SEMG
M2=("$MPIEXEC" "$NPFLAG" 2)
fail() { echo "FAIL: $*"; exit 1; }

make_fixtures() {
  local d=$1
  rm -rf "$d" && mkdir -p "$d" && cd "$d" || exit 1
  awk 'BEGIN { print "x,y,z"; for (i = 0; i < 16; i++) printf "%.4f,0,0\n", (i - 7.5) * 0.005 }' > E.csv
  printf "x,y,z\n-0.0075,0,0\n-0.0025,0,0\n0.0025,0,0\n0.0075,0,0\n" > E4.csv
  printf "origin_x,origin_y,origin_z,ip,length,cv\n-0.05,0,-0.01,0.052,0.11,4.5\n" > F.csv
  "$S" simulate -n 8 -samples 64 -output d.h5 -quiet > /dev/null || fail "fixture d.h5"
  "$S" simulate -n 64 -seed 3 -array_n 6 -samples 32 -montage dd -output t.h5 -quiet > /dev/null || fail "fixture t.h5"
  "$S" simulate -n 64 -seed 4 -array_n 6 -samples 32 -montage dd -output t2.h5 -quiet > /dev/null || fail "fixture t2.h5"
  "$S" train -data t.h5 -output m.h5 -enc_type mlp -enc_dense 8 -train_epochs 2 -train_global_batch 16 -quiet -train_quiet > /dev/null || fail "fixture m.h5"
  "$S" simulate -n 4 -samples 32 -montage mono -output dm.h5 -quiet > /dev/null || fail "fixture dm.h5"
  "$S" export -data dm.h5 -output sig.csv -truth tr.csv -electrodes el.csv > /dev/null || fail "fixture export"
  "$S" leadfield -electrodes E4.csv -output lf.h5 -vc_grid 17,17,17 -vc_skin_cells 2 -vc_fat_cells 4 > /dev/null || fail "fixture lf.h5"
  "$SEMG_BUILD/tests/make_hostile_h5" . d.h5 m.h5 || fail "fixture make_hostile_h5"
  head -c 3000 d.h5 > trunc.h5
  head -c 3000 m.h5 > mtrunc.h5
  # a continuous recording for import -epoch: 4 channels, 2 s at 1 kHz, spikes in the first second only
  awk 'BEGIN { print "sample,time_s,a,b,c,d"; s = 1; for (k = 0; k < 2000; k++) { s = (s * 16807) % 2147483647; n = (s / 2147483647 - 0.5) * 1e-3;
               p = (k < 1000 && k % 100 == 50) ? 1 : 0; printf "0,%.3f,%g,%g,%g,%g\n", k / 1000, n + p, n + 0.8 * p, n + 0.6 * p, n + 0.4 * p } }' > rec.csv
  printf "x,y,z\n0,0,0\n0.005,0,0\n0.01,0,0\n0.015,0,0\n" > rec_e.csv
  cd - > /dev/null || exit 1
}

# snapshot of every file in the case folder: checksum (regular), link target, or kind
snapshot() {
  (cd "$W" && find . \( -type f -o -type l -o -type p \) | LC_ALL=C sort | while read -r f; do
     if [ -L "$f" ]; then echo "link $(readlink "$f") $f"
     elif [ -p "$f" ]; then echo "fifo $f"
     else echo "$(md5sum < "$f" | cut -c1-32) $f"; fi
   done)
}

# expect RC PATTERN cmd...: exit code RC; for RC 2 one error line containing PATTERN; nothing changed.
# expect_ok OUTPUT cmd...: exit 0, OUTPUT written, nothing else changed, no .tmp left.
run_checked() {
  timeout -k 10 120 "$@" > "$W/../out.txt" 2>&1
  rc=$?
  out=$(cat "$W/../out.txt")
  [ $rc -ne 124 ] || fail "hang (killed after 120 s): $*"
  if printf '%s\n' "$out" | grep -Eq "PETSC ERROR|HDF5-DIAG|MPI_ABORT|buffer overflow|Signal:|Traceback|internal error"; then
    printf '%s\n' "$out" | head -20; fail "traceback or abort in the output of: $*"
  fi
}
expect() {
  local want=$1 pat=$2; shift 2
  local before; before=$(snapshot)
  run_checked "$@"
  [ "$rc" -eq "$want" ] || { printf '%s\n' "$out" | head -10; fail "exit code $rc, want $want: $*"; }
  if [ "$want" -ne 0 ]; then
    local n; n=$(printf '%s\n' "$out" | grep -c "error")
    [ "$n" -eq 1 ] || { printf '%s\n' "$out"; fail "$n error lines, want 1: $*"; }
    printf '%s\n' "$out" | grep "error" | grep -qF -- "$pat" || { printf '%s\n' "$out"; fail "the error line lacks '$pat': $*"; }
  fi
  [ "$(snapshot)" = "$before" ] || { diff <(echo "$before") <(snapshot); fail "files changed, appeared or were left behind: $*"; }
  echo "ok   exit $rc: $(printf '%s\n' "$out" | grep -m1 error || printf '%s\n' "$out" | tail -1)"
}
expect_ok() {
  local output=$1; shift
  local before; before=$(snapshot)
  run_checked "$@"
  [ "$rc" -eq 0 ] || { printf '%s\n' "$out" | head -10; fail "exit code $rc, want 0: $*"; }
  [ -f "$W/$output" ] || fail "$output not written: $*"
  [ -z "$(cd "$W" && find . -name '*.tmp')" ] || fail "a .tmp file was left: $*"
  [ "$(snapshot | grep -v " ./$output\$")" = "$before" ] || fail "files other than $output changed: $*"
  [ -z "${pat_out:-}" ] || printf '%s\n' "$out" | grep -qF -- "$pat_out" || { printf '%s\n' "$out"; fail "output lacks '$pat_out': $*"; }
  echo "ok   exit 0, $output written"
}

long=$(printf 'a%.0s' $(seq 1 236))          # a 240-character file name with .h5 (ompio's limit)
toolong=$(printf 'b%.0s' $(seq 1 252))       # 255 with .h5: no room for .tmp

# ---- data loss: an output that is an input, two outputs on one path -----------------------------
case_baseline_output_is_input()   { expect 2 "-output 'd.h5' is the input -data 'd.h5'" "$S" baseline -method vfit -data d.h5 -output d.h5; }
case_baseline_output_symlink()    { ln -s d.h5 l.h5; expect 2 "is the input -data 'd.h5' (same file)" "$S" baseline -method vfit -data d.h5 -output l.h5; }
case_baseline_output_2ranks()     { expect 2 "is the input -data" "${M2[@]}" "$S" baseline -method vfit -data d.h5 -output d.h5; }
case_baseline_output_tmp_is_input() { cp d.h5 r.h5.tmp; expect 2 "its temporary file 'r.h5.tmp' is the input" "$S" baseline -method vfit -data r.h5.tmp -output r.h5; }
case_train_output_is_input()      { expect 2 "-output 't.h5' is the input -data 't.h5'" "$S" train -data t.h5 -output t.h5 -enc_type mlp -train_epochs 1; }
case_estimate_output_is_model()   { expect 2 "-output 'm.h5' is the input -model 'm.h5'" "$S" estimate -model m.h5 -data t.h5 -output m.h5; }
case_estimate_output_is_data()    { expect 2 "is the input -data 't.h5'" "$S" estimate -model m.h5 -data t.h5 -output t.h5; }
case_muap_output_is_fibres()      { expect 2 "is the input -fibres 'F.csv'" "$S" muap -fibres F.csv -electrodes E.csv -fs 1000 -samples 10 -output F.csv; }
case_pointsource_output_is_electrodes() { expect 2 "is the input -electrodes 'E.csv'" "$S" pointsource -model infinite -source 0,0,-0.01 -electrodes E.csv -output E.csv; }
case_import_output_hardlink()     { ln sig.csv s.h5; expect 2 "-output 's.h5' is the input -signals 'sig.csv'" "$S" import -signals sig.csv -electrodes el.csv -fs 5000 -output s.h5; }
case_simulate_output_is_leadfield() { expect 2 "-output 'lf.h5' is the input -leadfield 'lf.h5'" "$S" simulate -n 2 -model vc -leadfield lf.h5 -output lf.h5; }
case_leadfield_output_hardlink()  { ln E4.csv e.h5; expect 2 "is the input -electrodes 'E4.csv'" "$S" leadfield -electrodes E4.csv -output e.h5 -vc_grid 17,17,17; }
case_export_two_outputs_one_path() { expect 2 "-output 's.csv' and -truth 's.csv' are the same file" "$S" export -data d.h5 -output s.csv -truth s.csv; }
case_export_two_outputs_dotdot()  { mkdir sub; expect 2 "are the same file" "$S" export -data d.h5 -output s.csv -electrodes sub/../s.csv; }
case_export_output_over_input()   { expect 2 "is the input -data 'd.h5'" "$S" export -data d.h5 -output sig.csv -truth d.h5; }

# ---- crash and hang: long paths, FIFOs, directories -------------------------------------------
case_long_path_simulate_2ranks()  { expect_ok "$long.h5" "${M2[@]}" "$S" simulate -n 2 -samples 20 -output "$long.h5" -quiet; }
case_long_path_read_2ranks()      { "$S" simulate -n 2 -samples 20 -output "$long.h5" -quiet > /dev/null; expect 0 "" "${M2[@]}" "$S" info -data "$long.h5"; }
case_name_too_long()              { expect 2 "file name longer than 255 characters" "$S" simulate -n 2 -output "$toolong.h5"; }
case_fifo_data()                  { mkfifo p.h5; expect 2 "'p.h5' is not a regular file" "$S" info -data p.h5; }
case_fifo_fibres()                { mkfifo p.csv; expect 2 "-fibres: 'p.csv' is not a regular file" "$S" muap -fibres p.csv -electrodes E.csv -fs 1000 -samples 10 -output o.csv; }
case_fifo_signals_2ranks()        { mkfifo p.csv; expect 2 "-signals: 'p.csv' is not a regular file" "${M2[@]}" "$S" import -signals p.csv -electrodes el.csv -fs 5000 -output o.h5; }
case_fifo_options_file()          { mkfifo p.yaml; expect 2 "-options_file: 'p.yaml' is not a regular file" "$S" simulate -options_file p.yaml -output o.h5; }
case_fifo_model()                 { mkfifo p.h5; expect 2 "'p.h5' is not a regular file" "$S" estimate -model p.h5 -data t.h5 -output o.csv; }
case_fifo_output()                { mkfifo o.csv; expect 2 "it exists and is not a regular file" "$S" muap -fibres F.csv -electrodes E.csv -fs 1000 -samples 10 -output o.csv; }
case_directory_as_data()          { mkdir x.h5; expect 2 "Is a directory" "$S" baseline -method vfit -data x.h5 -output o.csv; }
case_directory_as_output()        { mkdir o.csv; expect 2 "it is a directory" "$S" muap -fibres F.csv -electrodes E.csv -fs 1000 -samples 10 -output o.csv; }

# ---- exit codes and tracebacks: malformed files, full disks -----------------------------------
case_yaml_syntax_error()          { printf 'n: [3\n' > bad.yaml; expect 2 "-options_file 'bad.yaml': cannot be parsed" "$S" simulate -options_file bad.yaml -output o.h5; }
case_yaml_wrong_type()            { printf 'n: abc\n' > bad.yaml; expect 2 "-n 'abc' is not an integer" "$S" simulate -options_file bad.yaml -output o.h5; }
case_options_file_missing()       { expect 2 "-options_file: cannot read 'none.yaml'" "$S" simulate -options_file none.yaml -output o.h5; }
case_h5_wrong_type()              { expect 2 "-data 'strdata.h5': malformed file" "$S" baseline -method vfit -data strdata.h5 -output o.csv; }
case_h5_wrong_shape()             { expect 2 "shape.h5" "$S" info -data shape.h5; }
case_h5_truncated()               { expect 2 "trunc.h5" "$S" baseline -method vfit -data trunc.h5 -output o.csv; }
case_h5_random_bytes()            { head -c 4096 /dev/urandom > rnd.h5; expect 2 "not an HDF5 file" "$S" info -data rnd.h5; }
case_model_truncated()            { expect 2 "-model 'mtrunc.h5'" "$S" estimate -model mtrunc.h5 -data t.h5 -output o.csv; }
case_model_truncated_2ranks()     { expect 2 "-model 'mtrunc.h5'" "${M2[@]}" "$S" estimate -model mtrunc.h5 -data t.h5 -output o.csv; }
case_model_is_a_dataset()         { expect 2 "not a semg model" "$S" estimate -model d.h5 -data t.h5 -output o.csv; }
# a file-size limit (ulimit -f: 4 MiB, MPI start-up itself needs about 2) and a full 1 MiB tmpfs
case_file_size_limit_simulate()   { expect 2 "cannot write 'o.h5': file size limit reached" bash -c "ulimit -f 4096; exec \"$S\" simulate -n 200 -samples 512 -output o.h5 -quiet"; }
# (Open MPI's shared-memory transport needs files larger than the limit: TCP between the two ranks)
case_file_size_limit_simulate_2ranks() { export OMPI_MCA_btl=self,tcp; expect 2 "cannot write 'o.h5': file size limit reached" "${M2[@]}" bash -c "ulimit -f 4096; exec \"$S\" simulate -n 200 -samples 512 -output o.h5 -quiet"; }
case_file_size_limit_export_csv() { "$S" simulate -n 100 -samples 512 -output big.h5 -quiet > /dev/null || fail setup; expect 2 "cannot write 's.csv': file size limit reached" bash -c "ulimit -f 4096; exec \"$S\" export -data big.h5 -output s.csv"; }
case_file_size_limit_train()      { expect 2 "cannot write" bash -c "ulimit -f 4096; exec \"$S\" train -data t.h5 -output o.h5 -enc_type mlp -enc_dense 2000 -train_epochs 1 -quiet -train_quiet"; }
small_disk() { mkdir full && mount -t tmpfs -o size=1m tmpfs full 2> /dev/null || { echo "SKIP: cannot mount a tmpfs (not root?)"; exit 77; }; trap 'umount "$W/full"; rm -rf "$top"' EXIT; }
case_disk_full_simulate()         { small_disk; expect 2 "cannot write 'full/o.h5': no space left on device" "$S" simulate -n 200 -samples 512 -output full/o.h5 -quiet; }
case_disk_full_simulate_2ranks()  { small_disk; expect 2 "cannot write 'full/o.h5': no space left on device" "${M2[@]}" "$S" simulate -n 200 -samples 512 -output full/o.h5 -quiet; }
case_disk_full_export_csv()       { small_disk; head -c 1000k /dev/zero > full/filler; expect 2 "cannot write 'full/s.csv': no space left on device" "$S" export -data t.h5 -output full/s.csv; }
case_disk_full_baseline_2ranks()  { small_disk; "$S" simulate -n 2000 -samples 64 -output big.h5 -quiet > /dev/null || fail setup; head -c 900k /dev/zero > full/filler; expect 2 "cannot write 'full/o.csv'" "${M2[@]}" "$S" baseline -method vfit -data big.h5 -output full/o.csv; }
# a solver that does not converge (an internal error, exit 1, every rank aborted): no .tmp left behind
case_leadfield_not_converging_2ranks() {
  local before; before=$(snapshot)
  timeout -k 10 120 "${M2[@]}" "$S" leadfield -electrodes E4.csv -output o.h5 -vc_grid 17,17,17 -vc_skin_cells 2 -vc_fat_cells 4 -vc_ksp_max_it 2 > ../out.txt 2>&1; rc=$?
  [ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "exit $rc"
  grep -q "did not converge" ../out.txt || { cat ../out.txt; fail "no convergence message"; }
  [ "$(snapshot)" = "$before" ] || fail "files changed or .tmp left: $(cd "$W" && find . -newer ../out.txt)"
  echo "ok   exit $rc: $(grep -m1 'did not converge' ../out.txt)"
}
case_lag_overflow()               { awk -F, 'BEGIN { OFS = "," } NR > 1 { $2 = sprintf("%.17g", (NR - 2) % 64 * 1e-12) } 1' sig.csv > s2.csv
                                    "$S" import -signals s2.csv -electrodes el.csv -fs 1e12 -output big.h5 > /dev/null || fail "setup"; expect 2 "the delay range" "$S" baseline -method cv_mle -data big.h5 -output o.csv; }

# ---- silent acceptance: wrapped counts, extra list values, odd CSV ------------------------------
case_count_wraps_32bit()          { expect 2 "-n 4294967298 is out of range" "$S" simulate -n 4294967298 -output o.h5; }
case_count_trailing_garbage()     { expect 2 "-n '5abc' is not an integer" "$S" simulate -n 5abc -output o.h5; }
case_count_trailing_2ranks()      { expect 2 "-n '5abc' is not an integer" "${M2[@]}" "$S" simulate -n 5abc -output o.h5; }
case_count_missing_value()        { expect 2 "-samples needs an integer value" "$S" simulate -n 2 -samples -output o.h5; }
case_real_trailing_garbage()      { expect 2 "-fs '1000x' is not a number" "$S" muap -fibres F.csv -electrodes E.csv -fs 1000x -samples 10 -output o.csv; }
case_real_nan()                   { expect 2 "-epoch nan is not a finite number" "$S" import -signals rec.csv -electrodes rec_e.csv -fs 1000 -epoch nan -output o.h5; }
case_list_extra_values()          { expect 2 "-cv_range takes at most 2 values, got 3" "$S" baseline -method vfit -data d.h5 -output o.csv -cv_range 2,6,9; }
case_list_extra_centre()          { expect 2 "-array_centre takes at most 3 values, got 4" "$S" muap -array_n 8 -array_centre 0,0,0.02,5 -fs 1000 -samples 10 -output o.csv; }
case_list_extra_grid()            { expect 2 "-vc_grid takes at most 3 values, got 4" "$S" leadfield -electrodes E4.csv -output o.h5 -vc_grid 17,17,17,17; }
case_list_empty_value()           { expect 2 "-cv_range '2,' has an empty value" "$S" baseline -method vfit -data d.h5 -output o.csv -cv_range 2,; }
case_list_bad_value()             { expect 2 "-source '0.x' is not a number" "$S" pointsource -model infinite -source 0,0.x,-0.01 -electrodes E.csv -output o.csv; }
case_csv_duplicate_column()       { printf "origin_x,origin_y,origin_z,ip,length,cv,cv\n-0.05,0,-0.01,0.052,0.11,4.5,9\n" > F2.csv; expect 2 "column 'cv' appears twice" "$S" muap -fibres F2.csv -electrodes E.csv -fs 1000 -samples 10 -output o.csv; }
case_csv_nul_byte()               { { printf "x,y,z\n0,0,0\n"; printf '\0'; printf "0.005,0,0\n"; } > Enul.csv; expect 2 "'Enul.csv' line 3: NUL byte" "$S" pointsource -model infinite -source 0,0,-0.01 -electrodes Enul.csv -output o.csv; }
case_csv_empty_header_name()      { printf "x,,z\n0,0,0\n" > Eh.csv; expect 2 "column 2 has no name" "$S" pointsource -model infinite -source 0,0,-0.01 -electrodes Eh.csv -output o.csv; }
case_csv_bom_accepted()           { printf '\xef\xbb\xbfx,y,z\n0,0,0\n0.005,0,0\n' > Ebom.csv; expect_ok o.csv "$S" pointsource -model infinite -source 0,0,-0.01 -electrodes Ebom.csv -output o.csv; }
case_csv_cr_only_accepted()       { printf 'x,y,z\r0,0,0\r0.005,0,0\r' > Ecr.csv; pat_out="" expect_ok o.csv "$S" pointsource -model infinite -source 0,0,-0.01 -electrodes Ecr.csv -output o.csv; [ "$(wc -l < o.csv)" -eq 3 ] || fail "CR-only: 2 electrodes expected"; }
case_csv_crlf_accepted()          { printf 'x,y,z\r\n0,0,0\r\n0.005,0,0\r\n' > Ecrlf.csv; expect_ok o.csv "$S" pointsource -model infinite -source 0,0,-0.01 -electrodes Ecrlf.csv -output o.csv; }
case_csv_not_a_number()           { printf "x,y,z\n0,0,abc\n" > Ex.csv; expect 2 "'abc' is not a finite number" "$S" pointsource -model infinite -source 0,0,-0.01 -electrodes Ex.csv -output o.csv; }
case_import_sample_ids()          { awk -F, 'NR == 10 { $1 = 7 } 1' OFS=, sig.csv > s2.csv; expect 2 "sample id changes" "$S" import -signals s2.csv -electrodes el.csv -fs 5000 -output o.h5; }
case_import_time_column()         { awk -F, 'NR == 10 { $2 = 5 } 1' OFS=, sig.csv > s2.csv; expect 2 "time_s" "$S" import -signals s2.csv -electrodes el.csv -fs 5000 -output o.h5; }
case_import_truth_ids()           { awk -F, 'NR == 3 { $1 = 9 } 1' OFS=, tr.csv > t2.csv; expect 2 "does not match signal sample" "$S" import -signals sig.csv -electrodes el.csv -fs 5000 -truth t2.csv -output o.h5; }
case_simulate_empty_dataset()     { expect 2 "-n" "$S" simulate -n 0 -output o.h5; }
case_model_nan_parameter()        { expect 2 "-model 'nanmodel.h5': parameter 3 is nan" "$S" estimate -model nanmodel.h5 -data t.h5 -output o.csv; }
case_pointsource_on_electrode()   { expect 2 "is on electrode 9" "$S" pointsource -model infinite -source 0.0025,0,0 -electrodes E.csv -output o.csv; }
case_resume_other_data()          { cp -r m_ckpt ck2 && rm ck2/FINAL; expect 2 "was written while training on other data" "$S" train -data t2.h5 -output m2.h5 -ckpt_dir ck2 -enc_type mlp -enc_dense 8 -train_epochs 3 -train_global_batch 16 -quiet -train_quiet; }
case_template_no_trigger()        { expect 2 "none of the 4 epochs" "$S" import -signals rec.csv -electrodes rec_e.csv -fs 1000 -epoch 0.5 -template peak -template_rel 1 -template_threshold 1e6 -output o.h5; }
case_template_leaves_out_epochs() { pat_out="2 of 4 epochs had no trigger and were left out" expect_ok o.h5 "$S" import -signals rec.csv -electrodes rec_e.csv -fs 1000 -epoch 0.5 -template peak -output o.h5; }
case_h5_vlen_strings_read()       { expect 0 "" "$S" info -data vlen.h5; }
case_h5_nullpad_strings_read()    { expect 0 "" "$S" info -data nullpad.h5; }
case_unknown_option()             { expect 2 "unknown option -fibers" "$S" muap -fibres F.csv -fibers F.csv -electrodes E.csv -fs 1000 -samples 10 -output o.csv; }
case_unknown_method()             { expect 2 "-method" "$S" baseline -method foo -data d.h5 -output o.csv; }
case_export_wrong_schema()        { expect 2 "not a semg dataset" "$S" export -data m.h5 -output o.csv; }
case_leadfield_no_electrodes()    { printf "x,y,z\n" > E0.csv; expect 2 "E0.csv" "$S" leadfield -electrodes E0.csv -output o.h5 -vc_grid 17,17,17; }
case_train_zero_epochs()          { expect 2 "-train_epochs" "$S" train -data t.h5 -output o.h5 -train_epochs 0; }

case "${1:-}" in
  list) declare -F | awk '$3 ~ /^case_/ { sub("case_", "", $3); print $3 }' ;;
  fixtures) make_fixtures "$2" ;;
  case)
    [ -f "$3/d.h5" ] || fail "fixtures missing in $3"
    top=$(mktemp -d) && W=$top/w && cp -a "$3" "$W" && trap 'rm -rf "$top"' EXIT
    cd "$W" || exit 1
    "case_$2"
    ;;
  *) echo "usage: hostile.sh list | fixtures DIR | case NAME DIR"; exit 2 ;;
esac
