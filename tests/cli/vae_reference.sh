#!/usr/bin/env bash
# The VAE reference runs: the PyTorch peer's models and schedule on Fashion-MNIST (batch 128, Adam 1e-3,
# 10 epochs, seed 1) must reach a test loss (summed BCE + KL per image, nats) at or below a bound.
#   b1 (issue 3): the PyTorch VAE example, 784-400-[20, 20]. Peer (../shared/peers/torch_peer.py --model vae
#      --epochs 10): 243.97 (seed 1), 244.68 (seed 2); measured here 244.31. Bound 245.5. ~1 min on one core.
#   b3 (issue 9): the convolutional VAE, Conv(1->32 k4 s2 p1), Conv(32->64 k4 s2 p1), [20, 20], mirrored
#      decoder. Peer (--model convvae): 243.04 (seed 1), 242.81 (seed 2). Bound 244.5. ~4 min on two cores.
# Usage: vae_reference.sh AE_BINARY OUT_DIR [b1|b3]
set -euo pipefail
AE=$1
OUT=$2
MODEL=${3:-b1}
case "$MODEL" in
  b1) ENCODER=400; BOUND=245.5 ;;
  b3) ENCODER=c32k4s2p1,c64k4s2p1; BOUND=244.5 ;;
  *) echo "vae_reference.sh: unknown model '$MODEL' (b1 or b3)" >&2; exit 2 ;;
esac
rm -rf "$OUT"
"$AE" train --data fashion-mnist --model vae --encoder "$ENCODER" --latent 20 --loss bce --batch 128 --lr 1e-3 \
  --epochs 10 --seed 1 --threads 2 --out "$OUT" -q
/usr/bin/python3 - "$OUT" "$BOUND" "$MODEL" <<'PY'
import json, sys
m = json.load(open(sys.argv[1] + '/metrics.json'))
f = m['final']
assert f['loss_unit'] == 'nats per image', f['loss_unit']
loss = f['test_terms']['reconstruction'] + f['test_terms']['kl']
print(f"VAE reference {sys.argv[3]}: test loss {loss:.4f} nats per image (reconstruction "
      f"{f['test_terms']['reconstruction']:.4f}, KL {f['test_terms']['kl']:.4f}, {f['test_active_units']} active units, "
      f"test mse {f['test_mse']:.5f}); bound {sys.argv[2]}")
assert abs(loss - f['test_loss']) < 1e-6, (loss, f['test_loss'])
assert loss <= float(sys.argv[2]), f"test loss {loss} above the bound {sys.argv[2]}"
PY
