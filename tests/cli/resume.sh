#!/usr/bin/env bash
# `ae train --resume FILE` continues a model file: its epoch and step counts, its optimizer state and its
# data set (MNIST here, without --data); --epochs is the total. Options that need a new model are refused
# with exit code 2 and a message naming them; so is a finished file without --epochs.
set -euo pipefail
AE=$1
OUT=$2
rm -rf "$OUT"
"$AE" train --data mnist --limit-train 1000 --limit-test 300 --encoder 64 --latent 4 --epochs 1 --batch 50 \
  --seed 5 --threads 2 --out "$OUT/a" -q
"$AE" train --resume "$OUT/a/model.safetensors" --limit-train 1000 --limit-test 300 --epochs 3 --lr 5e-4 \
  --threads 2 --out "$OUT/b" 2> "$OUT/b.log"
cat "$OUT/b.log"
grep -q "continuing .* at epoch 1, step 20 (optimizer state restored) up to epoch 3" "$OUT/b.log"
/usr/bin/python3 - "$OUT" <<'PY'
import json, struct, sys
d = sys.argv[1]
a = json.load(open(f'{d}/a/metrics.json'))
b = json.load(open(f'{d}/b/metrics.json'))
assert [e['epoch'] for e in b['epochs']] == [2, 3], b['epochs']
assert b['final']['steps'] == 60, b['final']
assert abs(b['config']['train']['lr'] - 5e-4) < 1e-9, b['config']['train']
assert b['epochs'][-1]['test_loss'] < a['epochs'][-1]['test_loss'], (a['epochs'], b['epochs'])
raw = open(f'{d}/b/model.safetensors', 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
meta = json.loads(raw[8:8 + n])['__metadata__']
assert meta['data'] == 'mnist', meta      # the file's data set, kept without --data
assert meta['epoch'] == '3' and meta['step'] == '60', meta
print('resume: epochs', [e['epoch'] for e in b['epochs']], 'test loss', a['epochs'][-1]['test_loss'], '->',
      b['epochs'][-1]['test_loss'])
PY
set +e
"$AE" train --resume "$OUT/a/model.safetensors" --latent 8 --epochs 2 --out "$OUT/c" -q 2> "$OUT/c.log"; rc=$?
set -e
cat "$OUT/c.log"
[ "$rc" = 2 ] && grep -q "latent size cannot change" "$OUT/c.log"
set +e
"$AE" train --resume "$OUT/b/model.safetensors" --out "$OUT/d" -q 2> "$OUT/d.log"; rc=$?
set -e
cat "$OUT/d.log"
[ "$rc" = 2 ] && grep -q "trained 3 of its 3 epochs; give --epochs N" "$OUT/d.log"
echo "resume: ok"
