#!/usr/bin/env bash
# Every model type trains from the CLI on real Fashion-MNIST and MNIST subsets and reports its per-term losses.
set -euo pipefail
AE=$1
OUT=$2
rm -rf "$OUT"
for data in fashion-mnist mnist; do
for model in ae linear sparse denoising contractive vae cvae hashing vqvae; do
  "$AE" train --data "$data" --model "$model" --limit-train 1000 --limit-test 200 --epochs 1 --batch 100 \
    --seed 2 --threads 2 --out "$OUT/$data-$model" -q
  /usr/bin/python3 - "$OUT/$data-$model" "$model" "$data" <<'PY'
import json, sys
m = json.load(open(sys.argv[1] + '/metrics.json'))
model = sys.argv[2]
assert m['config']['model']['type'] == model, m['config']['model']
assert m['data']['name'] == sys.argv[3], m['data']
t = m['final']['test_terms']
for k in ('reconstruction', 'kl', 'sparsity', 'contractive', 'codebook', 'commitment', 'total'):
    assert k in t and t[k] == t[k], (k, t)
assert abs(t['total'] - m['final']['test_loss']) < 1e-9
assert (t['kl'] > 0) == (model in ('vae', 'cvae')), t
assert (t['sparsity'] > 0) == (model == 'sparse'), t
assert (t['contractive'] > 0) == (model == 'contractive'), t
assert m['final']['loss_unit'] == ('nats per image' if model in ('vae', 'cvae') else 'per pixel')
assert (t['commitment'] > 0) == (model == 'vqvae'), t
if model == 'cvae':
    assert m['config']['model']['num_classes'] == 10, m['config']['model']
if model == 'vqvae':  # per-epoch code statistics over the training assignments
    e = m['epochs'][-1]
    K = m['config']['model']['codebook_size']
    assert 0 < e['code_usage'] <= 1 and 1 <= e['code_perplexity'] <= K, e
PY
done
done
# A vqvae samples from its code frequencies without the training data.
"$AE" sample "$OUT/fashion-mnist-vqvae/model.safetensors" --n 8 --out "$OUT/vqvae_samples.png" | grep -q 'not the paper.s PixelCNN'
"$AE" eval "$OUT/fashion-mnist-vqvae/model.safetensors" --limit-train 500 --limit-test 100 --threads 2 \
  --out "$OUT/vqvae_eval.json" > "$OUT/vqvae_eval.txt" 2>/dev/null
grep -q 'code perplexity (of K = 64)' "$OUT/vqvae_eval.txt"
/usr/bin/python3 -c "import json,sys; v=json.load(open(sys.argv[1]))['vqvae']; assert v['bits'] == 24 and 0 < v['test_code_usage'] <= 1 and 1 <= v['test_code_perplexity'] <= 64, v" "$OUT/vqvae_eval.json"
# A cvae samples the class it is asked for (--class) and refuses one it does not have; a vae refuses --class.
"$AE" sample "$OUT/fashion-mnist-cvae/model.safetensors" --class 3 --n 8 --out "$OUT/cvae_class3.png" | grep -q 'class 3'
if err=$("$AE" sample "$OUT/fashion-mnist-cvae/model.safetensors" --class 10 --out "$OUT/x.png" 2>&1); then exit 1; fi
grep -q 'classes 0..9' <<<"$err"
if err=$("$AE" sample "$OUT/fashion-mnist-vae/model.safetensors" --class 1 --out "$OUT/x.png" 2>&1); then exit 1; fi
grep -q 'conditional' <<<"$err"
"$AE" eval "$OUT/fashion-mnist-cvae/model.safetensors" --limit-train 500 --limit-test 100 --iwae 5 --threads 2 \
  --out "$OUT/cvae_eval.json" > /dev/null 2>&1
/usr/bin/python3 -c "import json,sys; v=json.load(open(sys.argv[1]))['vae']; assert v['iwae'] > v['elbo'] - 5 and 'log p(x|y)' in v['units'], v" "$OUT/cvae_eval.json"
# `ae eval` of a hashing model reports binariness and Hamming-ball retrieval at --radius (text and JSON).
"$AE" eval "$OUT/fashion-mnist-hashing/model.safetensors" --limit-train 1000 --limit-test 500 --radius 3 --threads 2 \
  --out "$OUT/hashing_eval.json" > "$OUT/hashing_eval.txt" 2>/dev/null
grep -q 'Hamming precision (radius 3)' "$OUT/hashing_eval.txt"
/usr/bin/python3 - "$OUT/hashing_eval.json" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))['hashing']
assert h['bits'] == 32 and h['radius'] == 3 and h['queries'] == 500, h
assert 0 <= h['binariness'] <= 1 and 0 <= h['recall'] <= 1 and 0 <= h['precision'] <= 1, h
PY
# Options reach the config: a denoising run with block corruption, a beta-VAE with warm-up.
"$AE" train --data fashion-mnist --model denoising --corruption block --corruption-level 8 --limit-train 500 \
  --limit-test 100 --epochs 1 --threads 2 --out "$OUT/block" -q
"$AE" train --data mnist --model vae --latent 2 --beta 4 --kl-warmup 2 --limit-train 500 --limit-test 100 \
  --batch 50 --epochs 1 --threads 2 --out "$OUT/beta" -q
/usr/bin/python3 - "$OUT" <<'PY'
import json, sys
d = sys.argv[1]
b = json.load(open(d + '/block/metrics.json'))['config']['model']
assert b['corruption'] == 'block' and b['corruption_level'] == 8, b
v = json.load(open(d + '/beta/metrics.json'))
assert v['config']['model']['beta'] == 4 and v['config']['model']['kl_warmup_epochs'] == 2
# 10 steps per epoch; the last step of epoch 1 (step index 9 of a 20-step warm-up) used beta 4 * 9 / 20
assert abs(v['epochs'][0]['kl_weight'] - 1.8) < 1e-6, v['epochs'][0]['kl_weight']
PY
