#!/usr/bin/env bash
# The app saves what `ae eval` needs: a scripted ae-app run under Xvfb trains an autoencoder on MNIST
# (--data mnist --steps N --save FILE); `ae eval FILE` (no --data) must then evaluate on MNIST, the data set
# recorded in the file, not on the CLI's default Fashion-MNIST. Also checks the optimizer state was saved.
set -euo pipefail
APP=$1
AE=$2
WORK=$3
mkdir -p "$WORK"
MODEL="$WORK/app-mnist.safetensors"
rm -f "$MODEL" "$WORK/eval.json"
xvfb-run -a -s "-screen 0 1280x800x24" "$APP" --data mnist --model ae --encoder 128 --latent 8 --batch 128 \
  --seed 1 --threads 2 --steps 120 --save "$MODEL" --frames 2
[ -s "$MODEL" ] || { echo "ae-app --save wrote no $MODEL"; exit 1; }
"$AE" eval "$MODEL" --out "$WORK/eval.json" --threads 2 >/dev/null
/usr/bin/python3 - "$MODEL" "$WORK/eval.json" <<'PY'
import json, struct, sys
model, ev = sys.argv[1], json.load(open(sys.argv[2]))
with open(model, 'rb') as f:
    n = struct.unpack('<Q', f.read(8))[0]
    header = json.loads(f.read(n))
meta = header['__metadata__']
assert meta.get('data') == 'mnist', meta.get('data')
assert meta.get('step') == '120', meta.get('step')
assert meta.get('optimizer') == 'adam' and meta.get('optimizer_step') == '120', meta
assert any(k.startswith('optimizer.m.') for k in header) and any(k.startswith('optimizer.v.') for k in header)
test = ev['data']['test']
assert 'mnist' in test and 'fashion' not in test, f'ae eval used {test}, not the model\'s MNIST'
mse = ev['reconstruction']['mse']
assert mse < 0.08, f'MSE {mse} on MNIST: the model did not learn or the wrong data set was used'
print(f'ae eval on the app-saved model: {test}, MSE {mse:.4f}')
PY
