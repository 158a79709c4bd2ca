#!/usr/bin/env bash
# python/ae_torch.py against the real `ae` binary on Fashion-MNIST (small --limit-train runs):
#  1. `ae train` one short run of every model type (and a few architectures), `ae reconstruct` the first 16 test
#     images (reconstructions and codes), then ae_torch.load each file strictly and compare reconstruct() and
#     encode() within 1e-5, and loss_terms() with the test terms `ae train` wrote into metrics.json.
#  2. ae_torch.save round trip: a file written by Python is byte-identical to the one it loaded, `ae eval`
#     accepts it (exit 0) with sensible numbers equal to those of the original, and `ae reconstruct` gives the
#     same bytes.
# Usage: torch_bridge.sh AE_BINARY OUT_DIR
set -euo pipefail
AE=$1
OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
PY="/usr/bin/python3 $HERE/torch_bridge.py"
rm -rf "$OUT"
mkdir -p "$OUT"
dirs=()
run() {
  local name=$1
  shift
  "$AE" train --data fashion-mnist --limit-train 2000 --limit-test 200 --epochs 1 --batch 100 --seed 2 --threads 2 \
    -q --out "$OUT/$name" "$@" >/dev/null
  "$AE" reconstruct "$OUT/$name/model.safetensors" --first 16 --out "$OUT/$name/recon.f32" \
    --codes "$OUT/$name/codes.f32" >/dev/null
  dirs+=("$OUT/$name")
}
run ae --encoder 256,64 --latent 2
run asym --encoder 64,32 --decoder 48 --latent 5 --activation leaky_relu --latent-activation tanh --loss mse \
  --output identity
run linear --model linear
run sparse_kl --model sparse
run sparse_l1 --encoder 64 --latent 16 --sparsity l1
run denoising --model denoising --encoder 64 --latent 8
run contractive --model contractive
run contractive_deep --model contractive --encoder 64 --latent 8
run hashing --model hashing --encoder 64 --latent 16
run vae --model vae --encoder 128 --latent 8
run vae_flat --model vae --encoder '' --latent 4
run cvae --model cvae --encoder 128 --latent 4
run vqvae --model vqvae --encoder 128 --latent 8 --codebook-dim 4 --codebook-size 32
run conv_vae --model vae --encoder c8k4s2p1,c16k4s2p1 --latent 8
run conv_pool --encoder c8k3,m2,c4k3,m2 --latent 16 --activation leaky_relu
run conv_dense --encoder c8k3s2p1,32 --latent 4 --loss mse
run conv_explicit --encoder c8k3,m2 --decoder u2,c4k3,c1k3 --latent 6
$PY check 16 200 "${dirs[@]}"

for name in ae vae cvae sparse_kl conv_vae vqvae; do
  d=$OUT/$name
  $PY resave "$d/model.safetensors" "$d/python.safetensors"
  "$AE" eval "$d/model.safetensors" --limit-train 2000 --limit-test 500 --threads 2 --out "$d/eval.json" >/dev/null 2>&1
  "$AE" eval "$d/python.safetensors" --limit-train 2000 --limit-test 500 --threads 2 --out "$d/python_eval.json" \
    >/dev/null 2>&1
  $PY eval-sane "$d/python_eval.json"
  $PY same-eval "$d/eval.json" "$d/python_eval.json"
  "$AE" reconstruct "$d/python.safetensors" --first 16 --out "$d/python_recon.f32" >/dev/null
  cmp "$d/recon.f32" "$d/python_recon.f32"
  echo "$name: ae reconstruct of the Python-written file: the same bytes"
done
echo "torch_bridge: all checks passed"
