#!/usr/bin/env bash
# Throughput of `ae bench` against the PyTorch peer (../shared/peers/torch_peer.py), measured in the
# same sitting on this machine, as a ratio, for B1 (VAE), B2 (AE) and B3 (conv VAE). Runs each side
# `REPEATS` times (default 3) alternately and reports medians. The peer runs in its fastest configuration
# on these machines (OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=2, torch.set_num_threads(1)).
# Usage: bench/compare_torch.sh [build-dir] ; MODELS="b1 b2 b3" by default; needs python3-torch,
# libopenblas0-pthread.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
REPEATS=${REPEATS:-3}
PEER=${PEER:-../shared/peers/torch_peer.py}
AE_THREADS=${AE_THREADS:-2}
if [ ! -f "$PEER" ]; then echo "peer script $PEER not found (set PEER=...)" >&2; exit 1; fi
tmp=$(mktemp -d)
MODELS=${MODELS:-b1 b2 b3}
declare -A PEER_MODEL=([b1]=vae [b2]=ae [b3]=convvae)
for i in $(seq "$REPEATS"); do
  for m in $MODELS; do
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=2 /usr/bin/python3 "$PEER" --model "${PEER_MODEL[$m]}" --epochs 1 \
      --threads 1 | tail -1 >> "$tmp/torch_${PEER_MODEL[$m]}.jsonl"
    "$BUILD/native/cli/ae" bench --json --model "$m" --threads "$AE_THREADS" >> "$tmp/ae.jsonl"
  done
done
/usr/bin/python3 - "$tmp" "$MODELS" <<'PY'
import json, os, statistics, sys
d = sys.argv[1]
wanted = sys.argv[2].split()
def med(path, key, model=None):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    if model: rows = [r for r in rows if r.get('model') == model]
    return statistics.median(r[key] for r in rows)
for ours, peer, label in (('b1', 'vae', 'B1 VAE 784-400-[mu 20, logvar 20], batch 128'),
                          ('b2', 'ae', 'B2 AE 784-512-256-2, batch 256'),
                          ('b3', 'convvae', 'B3 conv VAE c32k4s2p1,c64k4s2p1-[mu 20, logvar 20], batch 128')):
    if ours not in wanted: continue
    a = med(f'{d}/ae.jsonl', 'median_samples_per_s', ours)
    t = med(f'{d}/torch_{peer}.jsonl', 'median_samples_per_s')
    print(f'{label}: ae {a:,.0f} samples/s, torch {t:,.0f} samples/s, ratio {a / t:.2f}x')
PY
rm -rf "$tmp"
