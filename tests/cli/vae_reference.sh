#!/usr/bin/env bash
# The VAE reference run of issue 3: the PyTorch VAE example's model and schedule on Fashion-MNIST must
# reach a test loss (summed BCE + KL per image, nats) <= 245.5. The PyTorch peer
# (../shared/peers/torch_peer.py --model vae --epochs 10) reaches 243.97 (seed 1) and 244.68 (seed 2);
# measured here: 244.31 (seed 1, Release -march=native, GCC 12). ~1 min of CPU on one core.
set -euo pipefail
AE=$1
OUT=$2
BOUND=245.5
rm -rf "$OUT"
"$AE" train --data fashion-mnist --model vae --encoder 400 --latent 20 --loss bce --batch 128 --lr 1e-3 \
  --epochs 10 --seed 1 --threads 2 --out "$OUT" -q
/usr/bin/python3 - "$OUT" "$BOUND" <<'PY'
import json, sys
m = json.load(open(sys.argv[1] + '/metrics.json'))
f = m['final']
assert f['loss_unit'] == 'nats per image', f['loss_unit']
loss = f['test_terms']['reconstruction'] + f['test_terms']['kl']
print(f"VAE reference: test loss {loss:.4f} nats per image (reconstruction {f['test_terms']['reconstruction']:.4f}, "
      f"KL {f['test_terms']['kl']:.4f}, {f['test_active_units']} active units); bound {sys.argv[2]}")
assert abs(loss - f['test_loss']) < 1e-6, (loss, f['test_loss'])
assert loss <= float(sys.argv[2]), f"test loss {loss} above the bound {sys.argv[2]}"
PY
