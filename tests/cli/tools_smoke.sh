#!/usr/bin/env bash
# `ae eval / sample / interpolate / manifold / reconstruct` on a model trained here: a short Fashion-MNIST run
# with class 8 (Bag) left out of training, so eval reports its anomaly AUROC. Checks the files and numbers
# (finite, in range, bags detected well above chance) and that a broken model file is a clear error.
set -euo pipefail
AE=$1
OUT=$2
rm -rf "$OUT"
mkdir -p "$OUT"
LIM=(--limit-train 10000 --limit-test 2000)
"$AE" train --data fashion-mnist "${LIM[@]}" --encoder 128 --latent 2 --epochs 3 --seed 1 --threads 2 \
  --exclude-class 8 --out "$OUT/run" -q
M="$OUT/run/model.safetensors"
[ -s "$OUT/run/manifold.png" ] || { echo "ae train wrote no manifold.png for a 2-D latent"; exit 1; }
"$AE" eval "$M" "${LIM[@]}" --threads 2 --out "$OUT/eval.json" | tee "$OUT/eval.txt"
grep -q "anomaly AUROC, class 8 (Bag)" "$OUT/eval.txt"
"$AE" sample "$M" "${LIM[@]}" --n 16 --out "$OUT/samples.png" | grep -q "Gaussian fitted"
"$AE" sample "$M" --around 3 --noise 0.3 --n 9 --out "$OUT/noise.png" | grep -q "latent noise"
"$AE" interpolate "$M" --a 0 --b 1 --steps 6 --slerp --out "$OUT/interp.png" | grep -q "slerp"
"$AE" manifold "$M" --n 8 --spacing normal --range -2,2 --out "$OUT/manifold.png"
"$AE" reconstruct "$M" --first 16 --out "$OUT/recon.f32" --codes "$OUT/codes.f32"
/usr/bin/python3 - "$OUT" <<'PY'
import json, math, os, struct, sys
d = sys.argv[1]
e = json.load(open(f'{d}/eval.json'))
r = e['reconstruction']
assert 0 < r['mse'] < 0.1 and 0 < r['bce'] < 1, r
assert 10 < r['psnr_db'] < 40 and 0 < r['ssim'] < 1, r
assert 0 < e['pca']['mse'] < 0.1, e['pca']
k = e['knn']
assert k['k'] == 5 and k['code_size'] == 2 and 0.3 < k['ae_accuracy'] <= 1 and 0.3 < k['pca_accuracy'] <= 1, k
q = e['retrieval']   # precision@8 among the 2000 test images; chance is about 0.1 (0.11 without the bags)
assert q['k'] == 8 and q['metric'] == 'euclidean' and q['queries'] == 1000, q
assert 0.3 < q['ae_precision'] <= 1 and 0.3 < q['pca_precision'] <= 1 and 0.4 < q['pixel_precision'] <= 1, q
a = e['anomaly']
assert a['class'] == 8 and a['excluded_in_training'], a
assert 0.75 < a['auroc'] <= 1, a   # bags are unlike every other class: well above chance (0.5)
for png, (w, h) in {'samples.png': (4 * 58 + 2, 4 * 58 + 2), 'interp.png': (6 * 86 + 2, 2 * 86 + 2),
                    'noise.png': (3 * 58 + 2, 3 * 58 + 2), 'manifold.png': (8 * 30 + 2, 8 * 30 + 2), 'run/manifold.png': (20 * 30 + 2, 20 * 30 + 2)}.items():
    head = open(f'{d}/{png}', 'rb').read(24)
    assert head[:8] == b'\x89PNG\r\n\x1a\n', png
    assert struct.unpack('>II', head[16:24]) == (w, h), (png, struct.unpack('>II', head[16:24]), (w, h))
assert os.path.getsize(f'{d}/recon.f32') == 16 * 784 * 4
assert os.path.getsize(f'{d}/codes.f32') == 16 * 2 * 4
vals = struct.unpack('<%df' % (16 * 784), open(f'{d}/recon.f32', 'rb').read())
assert all(0.0 <= v <= 1.0 for v in vals)
print('ok:', json.dumps({'knn': k, 'auroc': a['auroc'], 'psnr': r['psnr_db'], 'ssim': r['ssim']}))
PY
# A truncated model file: exit code 2 and a message naming the file and the problem.
head -c 1000 "$M" > "$OUT/broken.safetensors"
set +e
msg=$("$AE" eval "$OUT/broken.safetensors" 2>&1)
code=$?
set -e
[ $code -eq 2 ] || { echo "broken file: exit code $code, expected 2: $msg"; exit 1; }
echo "$msg" | grep -q "broken.safetensors.*runs past the end of the file" || { echo "unexpected message: $msg"; exit 1; }
echo "broken file rejected: $msg"
