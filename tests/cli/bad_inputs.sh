#!/usr/bin/env bash
# One row of the README's table of bad inputs: makes the input, runs `ae`, checks the exit code (2 for a
# bad input, 3 for a divergence) and that the one-line message names the file or field.
# Usage: bad_inputs.sh ROW AE WORKDIR
set -uo pipefail
row=$1 AE=$2 dir=$3/$1
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit 1

# IDX writer and a tiny model file (input 4x4, encoder [3], latent 2) made here, byte by byte.
py() { /usr/bin/python3 - "$@"; }
idx() {  # idx FILE DIMS(comma) [NBYTES] [gzip]
  py "$@" <<'PY'
import sys, struct, gzip
path, dims = sys.argv[1], [int(d) for d in sys.argv[2].split(',')]
n = 1
for d in dims: n *= d
if len(sys.argv) > 3 and sys.argv[3]: n = int(sys.argv[3])
b = bytes([0, 0, 8, len(dims)]) + b''.join(struct.pack('>I', d) for d in dims) + bytes(i % 251 for i in range(n))
open(path, 'wb').write(gzip.compress(b) if path.endswith('.gz') else b)
PY
}
model() {  # model FILE CONFIG_JSON  (tensors of the 4x4 / [3] / latent 2 model)
  py "$@" <<'PY'
import sys, json, struct
path, config = sys.argv[1], sys.argv[2]
shapes = [('encoder.0.weight', [3, 16]), ('encoder.0.bias', [3]), ('encoder.2.weight', [2, 3]), ('encoder.2.bias', [2]),
          ('decoder.0.weight', [3, 2]), ('decoder.0.bias', [3]), ('decoder.2.weight', [16, 3]), ('decoder.2.bias', [16])]
header, data = {'__metadata__': {'format': 'autoencoder-lab/1', 'config': config, 'epoch': '0', 'step': '0'}}, b''
for name, shape in shapes:
    n = 1
    for d in shape: n *= d
    header[name] = {'dtype': 'F32', 'shape': shape, 'data_offsets': [len(data), len(data) + 4 * n]}
    data += struct.pack('<%df' % n, *[0.01 * (i % 7) for i in range(n)])
h = json.dumps(header).encode()
open(path, 'wb').write(struct.pack('<Q', len(h)) + h + data)
PY
}
small='{"model": {"input_rows": 4, "input_cols": 4, "encoder": [3], "latent": 2}}'
train_idx() { "$AE" train --data idx --train-images "$1" --train-labels "$2" --epochs 0 --quiet --out out "${@:3}"; }

expect() {  # expect CODE REGEX COMMAND...
  local want=$1 regex=$2
  shift 2
  local out code
  out=$("$@" 2>&1)
  code=$?
  printf '%s\n' "$out"
  [ "$code" -eq "$want" ] || { echo "bad_inputs $row: exit code $code, expected $want" >&2; exit 1; }
  printf '%s\n' "$out" | grep -Eq -- "$regex" || { echo "bad_inputs $row: message does not match: $regex" >&2; exit 1; }
  [ "$(printf '%s\n' "$out" | grep -c 'error')" -le 1 ] || { echo "bad_inputs $row: more than one error line" >&2; exit 1; }
}

case $row in
  missing_file)
    expect 2 "/nonexistent/train-images.idx: cannot open file" train_idx /nonexistent/train-images.idx labels.idx ;;
  wrong_magic)
    printf 'PK\003\004 not an idx file' > images.idx; idx labels.idx 3
    expect 2 "images.idx: bad magic" train_idx images.idx labels.idx ;;
  truncated)
    idx images.idx 10,28,28 100; idx labels.idx 10
    expect 2 "images.idx: truncated data" train_idx images.idx labels.idx ;;
  count_mismatch)
    idx images.idx 10,28,28; idx labels.idx 9
    expect 2 "images.idx, labels.idx: image/label count mismatch: 10 images, 9 labels" train_idx images.idx labels.idx ;;
  overflowing_dimensions)
    idx images.idx 65535,65535,65535,65535 16; idx labels.idx 3
    expect 2 "images.idx: .*(overflow|truncated)" train_idx images.idx labels.idx ;;
  corrupt_gzip)
    idx images.idx.gz 50,28,28; idx labels.idx 50
    py <<'PY'
b = bytearray(open('images.idx.gz', 'rb').read()); b[10] = 0xFF; open('images.idx.gz', 'wb').write(b)
PY
    expect 2 "images.idx.gz: corrupt gzip file" train_idx images.idx.gz labels.idx ;;
  gzip_bomb)
    py <<'PY'
import gzip, struct, zlib
z = zlib.compressobj(9, zlib.DEFLATED, 31)
out = z.compress(bytes([0, 0, 8, 3]) + struct.pack('>3I', 10, 28, 28) + bytes(7840))
block = bytes(1 << 20)
for _ in range(256): out += z.compress(block)  # 256 MB of zeros behind a header promising 7,856 bytes
open('images.idx.gz', 'wb').write(out + z.flush())
PY
    idx labels.idx 10
    expect 2 "images.idx.gz: the gzip stream expands beyond the 7856 bytes its IDX header promises" \
      train_idx images.idx.gz labels.idx ;;
  text_as_model)
    echo "these are my notes, not a model" > notes.safetensors
    expect 2 "notes.safetensors: not a safetensors file" "$AE" eval notes.safetensors ;;
  shapes_disagree)
    model m.safetensors '{"model": {"input_rows": 4, "input_cols": 4, "encoder": [3], "latent": 3}}'
    expect 2 "m.safetensors: tensor 'encoder.2.weight' has shape \[2, 3\], the config needs \[3, 3\]" "$AE" eval m.safetensors ;;
  huge_config_model)
    model m.safetensors '{"model": {"input_rows": 4096, "input_cols": 4096, "encoder": [65536], "latent": 2}}'
    expect 2 "m.safetensors: tensor 'encoder.0.weight' has shape \[3, 16\], the config needs \[65536, 16777216\]" \
      "$AE" eval m.safetensors ;;
  other_image_size)
    model m.safetensors "$small"
    expect 2 "m.safetensors: the model takes 4x4 images, data set 'mnist' has 28x28" "$AE" eval m.safetensors --data mnist ;;
  typo_key)
    echo '{"model": {"latnet": 3}}' > c.json
    expect 2 "c.json: model.latnet: unknown field" "$AE" train --config c.json --epochs 0 ;;
  out_of_range_config)
    echo '{"model": {"latent": 0}}' > c.json
    expect 2 "c.json: model.latent: expected an integer in 1..65536, got 0" "$AE" train --config c.json --epochs 0 ;;
  out_of_range_flag)
    expect 2 "--latent: latent size: -3 is outside 1..65536" "$AE" train --latent -3 ;;
  number_overflow)
    echo '{"train": {"lr": 1e400}}' > c.json
    expect 2 "c.json: invalid JSON.*number overflow" "$AE" train --config c.json --epochs 0 ;;
  absurd_size)
    expect 2 "latent 65536\) with train.batch 256 needs [0-9.]+ GB .*; the limit is 4 GB \(--memory-limit GB to raise it\)" \
      "$AE" train --latent 65536 --encoder 65536 --epochs 0 --out out ;;
  finite_divergence)
    expect 3 "training diverged at epoch [0-9]+, step [0-9]+: the smoothed training loss stayed above 10x.*Lower the learning rate" \
      "$AE" train --data mnist --lr 100 --encoder 64 --batch 64 --epochs 20 --threads 1 --quiet --out out
    /usr/bin/python3 -c "import json; m = json.load(open('out/metrics.json')); assert m['diverged'] and m['final']['test_loss'] < 1.0, m['final']" ||
      exit 1
    [ -s out/model.safetensors ] || { echo "bad_inputs $row: no model file kept" >&2; exit 1; } ;;
  *) echo "bad_inputs.sh: unknown row $row" >&2; exit 1 ;;
esac
echo "bad_inputs $row: ok"
