#!/usr/bin/env bash
# Distributed continuation: `ae train` a short VAE run, train ONE more epoch in PyTorch with
# `torchrun --nproc_per_node 2 python/train_ddp.py` (gloo, DistributedDataParallel, DistributedSampler over the
# first 10,000 Fashion-MNIST training images), saved by rank 0 with ae_torch.save; then `ae eval` both files
# and check that the epoch/step were continued and the test loss (-ELBO) went down, and that ae_torch still
# reproduces `ae reconstruct` on the new file.
# Usage: torch_ddp.sh AE_BINARY OUT_DIR
set -euo pipefail
AE=$1
OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY="/usr/bin/python3 $HERE/torch_bridge.py"
rm -rf "$OUT"
mkdir -p "$OUT/continued"
"$AE" train --data fashion-mnist --model vae --limit-train 2000 --limit-test 1000 --epochs 1 --batch 100 --seed 3 \
  --threads 2 -q --out "$OUT/start" >/dev/null
# A free port (other builds may run this test at the same time); AE_DDP_PORT overrides it.
PORT=${AE_DDP_PORT:-$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
# One process per core, one torch thread each (OMP_NUM_THREADS also keeps torchrun from warning).
# --redirects 9:0 --tee 9:0: Debian's torch 1.13 under Python 3.11 parses the default "0" to None and fails with
# "AttributeError: 'NoneType' object has no attribute 'get'" (pytorch/pytorch#92319); a mapping for a local rank
# that does not exist means "no redirection" for all of them.
OMP_NUM_THREADS=1 /usr/bin/torchrun --nproc_per_node 2 --redirects 9:0 --tee 9:0 --master_port "$PORT" "$ROOT/python/train_ddp.py" \
  "$OUT/start/model.safetensors" --epochs 1 --limit-train 10000 --out "$OUT/continued/model.safetensors"
for f in start continued; do
  "$AE" eval "$OUT/$f/model.safetensors" --limit-train 2000 --limit-test 1000 --threads 2 --out "$OUT/$f/eval.json" \
    >/dev/null 2>&1
done
$PY eval-sane "$OUT/continued/eval.json"
$PY continued "$OUT/start/model.safetensors" "$OUT/start/eval.json" "$OUT/continued/model.safetensors" \
  "$OUT/continued/eval.json"
"$AE" reconstruct "$OUT/continued/model.safetensors" --first 16 --out "$OUT/continued/recon.f32" \
  --codes "$OUT/continued/codes.f32" >/dev/null
$PY check 16 0 "$OUT/continued"
echo "torch_ddp: all checks passed"
