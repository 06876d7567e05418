# Independent reference (spec estimator.md 3.5.2): the PyTorch twin (experiments/bench/train_torch.py, autograd
# through the CCS decoder) starts from the C initial weights and takes the same 20 AdamW steps on the same
# batches; parameters must agree to 1e-12 relative. Skipped (77) without python3-torch/h5py.
source "$(dirname "$0")/nn_common.sh"
/usr/bin/python3 -c "import torch, h5py" 2> /dev/null || { echo "python3-torch or python3-h5py missing: skipped"; exit 77; }
BENCH="$SEMG_BUILD/bench/train"
OPENBLAS_NUM_THREADS=1 "$BENCH" -options_file train.yaml -output c.h5 -train_max_steps 20 -train_val_fraction 0 -ckpt_epoch 0 \
  -train_shuffle 0 -bench_decoder_samples 0 -bench_template t.txt -bench_init init.h5 > /dev/null || fail "bench/train"
OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$SEMG_SOURCE/experiments/bench/train_torch.py" --data data.h5 --template t.txt --init init.h5 \
  --compare c.h5 --max_steps 20 --epochs 2 --conv 4,8 --kernel 3 --dense 16 --batch 16 --tolerance 1e-12 > torch.log || { cat torch.log; fail "C and PyTorch differ"; }
tail -1 torch.log
echo "ALL PASSED"
