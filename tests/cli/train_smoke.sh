#!/usr/bin/env bash
# Trains two short runs with `ae train` and checks the report folder: metrics.json parses and holds
# the per-epoch fields, the PNGs are real PNG files of plausible size, the model file is safetensors.
set -euo pipefail
AE=$1
OUT=$2
rm -rf "$OUT"
for data in mnist fashion-mnist; do
  dir="$OUT/$data"
  "$AE" train --data "$data" --limit-train 1500 --limit-test 300 --encoder 64 --latent 3 --epochs 2 \
    --batch 50 --seed 3 --threads 2 --out "$dir" -q
  for f in metrics.json reconstructions.png latent.png model.safetensors; do
    [ -s "$dir/$f" ] || { echo "missing $dir/$f"; exit 1; }
  done
  /usr/bin/python3 - "$dir" <<'PY'
import json, struct, sys
d = sys.argv[1]
m = json.load(open(f'{d}/metrics.json'))
assert len(m['epochs']) == 2, m['epochs']
for e in m['epochs']:
    for k in ('epoch', 'train_loss', 'test_loss', 'test_mse', 'samples_per_s', 'seconds'):
        assert k in e and e[k] == e[k], (k, e)
assert m['epochs'][1]['test_loss'] < m['epochs'][0]['train_loss'], m['epochs']
assert m['config']['model']['latent'] == 3
for png in ('reconstructions.png', 'latent.png'):
    head = open(f'{d}/{png}', 'rb').read(24)
    assert head[:8] == b'\x89PNG\r\n\x1a\n', png
    w, h = struct.unpack('>II', head[16:24])
    assert w >= 400 and h >= 100, (png, w, h)
raw = open(f'{d}/model.safetensors', 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
hdr = json.loads(raw[8:8 + n])
assert hdr['encoder.0.weight']['shape'] == [64, 784], hdr['encoder.0.weight']
assert json.loads(hdr['__metadata__']['config'])['model']['encoder'] == [64]
print(d, 'ok: test loss', m['final']['test_loss'])
PY
done
