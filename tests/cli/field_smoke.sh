#!/usr/bin/env bash
# 2-D toy data and `ae field`: a denoising AE trained on the two moons by `ae train --data moons` (the 2-D
# model defaults of toy_data.h), its report (field.png instead of reconstructions.png); `ae field` draws the
# vector field r(x) - x and prints its alignment with the data, above a floor; every toy set trains; an
# image model and a convolutional model on points are refused (exit code 2).
set -euo pipefail
AE=$1
OUT=$2
rm -rf "$OUT"
mkdir -p "$OUT"
"$AE" train --data moons --model denoising --seed 1 --threads 1 --out "$OUT/moons" -q | tee "$OUT/train.txt"
grep -q "report: $OUT/moons/ (metrics.json, latent.png, field.png, model.safetensors)" "$OUT/train.txt"
[ ! -e "$OUT/moons/reconstructions.png" ] && [ -s "$OUT/moons/field.png" ] && [ -s "$OUT/moons/latent.png" ]
/usr/bin/python3 -c "
import json, sys
m = json.load(open(sys.argv[1]))
c = m['config']['model']
assert (c['input_rows'], c['input_cols'], c['latent'], c['output'], c['loss']) == (1, 2, 2, 'identity', 'mse'), c
assert c['encoder'] == [64, 64] and c['corruption'] == 'gaussian' and abs(c['corruption_level'] - 0.05) < 1e-6, c
assert m['data']['train_count'] == 2000 and m['data']['test_count'] == 500, m['data']" "$OUT/moons/metrics.json"
M="$OUT/moons/model.safetensors"
"$AE" field "$M" --n 24 --out "$OUT/field.png" | tee "$OUT/field.txt"
grep -q "on moons/test (500 points): r(x) - x on a 24 x 24 grid over \[0, 1\]^2" "$OUT/field.txt"
a=$(sed -n 's/^alignment \([-0-9.]*\): .*/\1/p' "$OUT/field.txt")
/usr/bin/python3 -c "import sys; a = float(sys.argv[1]); assert a > 0.75, a" "$a"
/usr/bin/python3 -c "
import struct, sys
h = open(sys.argv[1], 'rb').read(24)
assert h[:8] == b'\x89PNG\r\n\x1a\n' and struct.unpack('>II', h[16:24]) == (900, 820), sys.argv[1]" "$OUT/field.png"
for d in circle spiral sine; do
  "$AE" train --data $d --epochs 1 --seed 1 --threads 1 --out "$OUT/$d" -q > /dev/null
  "$AE" field "$OUT/$d/model.safetensors" --n 12 --out "$OUT/$d.png" | grep -q "on $d/test (500 points)"
done
set +e
"$AE" train --data mnist --limit-train 500 --limit-test 100 --encoder 16 --epochs 1 --out "$OUT/img" -q > /dev/null
msg=$("$AE" field "$OUT/img/model.safetensors" --out "$OUT/x.png" 2>&1); code=$?
[ $code -eq 2 ] && echo "$msg" | grep -q "needs a model on 2-D points" || { echo "image model: $code $msg"; exit 1; }
msg=$("$AE" train --data moons --encoder c8k3s1p1 --epochs 1 --out "$OUT/conv" 2>&1); code=$?
[ $code -eq 2 ] && echo "$msg" | grep -q "2-D points (1 x 2) need Dense layers" || { echo "conv: $code $msg"; exit 1; }
set -e
[ ! -e "$OUT/x.png" ] || { echo "a PNG was written for a bad input"; exit 1; }
echo "ok: $(grep alignment "$OUT/field.txt")"
