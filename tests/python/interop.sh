#!/usr/bin/env bash
# Trains short real runs with `ae train`, writes their reconstructions of the first 16 Fashion-MNIST test
# images with `ae reconstruct`, and checks that PyTorch (torch_interop.py) loads each model file strictly
# and reproduces them within 1e-5. Models: the default architecture, an asymmetric one with other
# activations and an identity output, a sparse one without hidden layers, VAEs through their mu path, and a
# conditional VAE with its own labels and with a swapped class, and a VQ-VAE.
set -euo pipefail
AE=$1
OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
rm -rf "$OUT"
mkdir -p "$OUT"
run() {
  local name=$1
  shift
  "$AE" train --data fashion-mnist --limit-train 2000 --limit-test 100 --epochs 1 --batch 100 --seed 2 --threads 2 \
    -q --out "$OUT/$name" "$@" >/dev/null
  "$AE" reconstruct "$OUT/$name/model.safetensors" --first 16 --out "$OUT/$name/recon.f32" >/dev/null
  /usr/bin/python3 "$HERE/torch_interop.py" "$OUT/$name/model.safetensors" "$OUT/$name/recon.f32" 16
}
run ae
run asym --encoder 64,32 --decoder 48 --latent 5 --activation leaky_relu --latent-activation tanh --loss mse \
  --output identity
run sparse --model sparse                               # no hidden layer, sigmoid code
run vae --model vae --encoder 128 --latent 8             # mu path
run vae_flat --model vae --encoder '' --latent 4         # heads straight on the pixels
run cvae --model cvae --encoder 128 --latent 4           # [x, y] and [mu, y], y the test labels
run vqvae --model vqvae --encoder 128 --latent 8 --codebook-dim 4 --codebook-size 32  # nearest entries per group
# the class swap: every code decoded with class 7 (ae reconstruct --class 7)
"$AE" reconstruct "$OUT/cvae/model.safetensors" --first 16 --class 7 --out "$OUT/cvae/swap.f32" >/dev/null
/usr/bin/python3 "$HERE/torch_interop.py" "$OUT/cvae/model.safetensors" "$OUT/cvae/swap.f32" 16 7
