#!/bin/bash
# semg simulate -model layered: bitwise identical /emg/data on 1 and 2 ranks (per-sample misalignment),
# the tissue recorded in the model config, the no-fat/no-skin limit equal to -model halfspace, a fat
# layer lowering the signal, and impossible input rejected with exit 2.
set -u
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
fail=0
maxabs() { "$SEMG" export -data "$1" -output "$1.csv" > /dev/null && awk -F, 'NR>1 { for (i=3;i<=NF;i++) { v=$i<0?-$i:$i; if (v>m) m=v } } END { printf "%.6e\n", m }' "$1.csv"; }
args=(simulate -n 6 -samples 120 -depth_range 0.012,0.018 -radius_range 0.002,0.004 -fibres_range 40,60 -snr_range 1000 -rotation_range 0,10 -shift_x_range -0.002,0.002 -quiet -model layered)
"$MPIEXEC" $NPFLAG 2 "$SEMG" "${args[@]}" -output l2.h5 > log2.txt 2>&1 || { cat log2.txt; echo "FAIL layered on 2 ranks"; fail=1; }
"$MPIEXEC" $NPFLAG 1 "$SEMG" "${args[@]}" -output l1.h5 > log1.txt 2>&1 || { cat log1.txt; echo "FAIL layered on 1 rank"; fail=1; }
sed -n 's/, built in.*//p' log1.txt
h5diff l1.h5 l2.h5 /emg/data && echo "ok   /emg/data bitwise identical on 1 and 2 ranks" || { echo "FAIL /emg/data differs between 1 and 2 ranks"; fail=1; }
h5dump -d /provenance/model_config l1.h5 | grep -q "layered: {sigma_fat: 0.05, sigma_skin: 1.*, fat_thickness: 0.003, skin_thickness: 0.001}" && echo "ok   model config records the layers" || { echo "FAIL model config"; fail=1; }
[[ "$("$SEMG" info -data l1.h5)" == *"units V"* ]] && echo "ok   units V" || { echo "FAIL units"; fail=1; }
# no fat, no skin: the half-space lead field exactly (same depths, same draws)
"$SEMG" "${args[@]}" -fat_thickness 0 -skin_thickness 0 -output l0.h5 > /dev/null || { echo "FAIL layered without layers"; fail=1; }
"$SEMG" "${args[@]/layered/halfspace}" -output h.h5 > /dev/null || { echo "FAIL halfspace"; fail=1; }
h5diff l0.h5 h.h5 /emg/data && echo "ok   -fat_thickness 0 -skin_thickness 0 equals -model halfspace bitwise" || { echo "FAIL no-layer limit differs from halfspace"; fail=1; }
a1=$(maxabs l1.h5); a0=$(maxabs l0.h5)
awk -v a="$a1" -v b="$a0" 'BEGIN { printf "     SD max |v|: fat 3 mm + skin 1 mm %.4e V, no layers %.4e V, ratio %.3f\n", a, b, a/b; exit !(a > 1e-8 && a < b) }' \
  && echo "ok   the layers lower the SD amplitude" || { echo "FAIL amplitude with layers $a1 vs without $a0"; fail=1; }
"$SEMG" "${args[@]}" -vc_ccs_sources -n 2 -output c.h5 > /dev/null && echo "ok   -vc_ccs_sources" || { echo "FAIL -vc_ccs_sources"; fail=1; }
for bad in "-depth_range 0.007" "-fat_thickness 0.01" "-sigma_fat 0" "-skin_thickness -0.001" "-sigma_skin -1"; do
  if [ "$bad" = "-depth_range 0.007" ]; then out=$("$MPIEXEC" $NPFLAG 2 "$SEMG" "${args[@]}" $bad -output x.h5 2>&1); rc=$?
  else out=$("$SEMG" "${args[@]}" $bad -output x.h5 2>&1); rc=$?; fi
  [ "$rc" -eq 2 ] && [ ! -e x.h5 ] && echo "ok   $bad rejected: $(echo "$out" | head -1)" || { echo "FAIL $bad: rc=$rc $out"; fail=1; }
done
exit $fail
