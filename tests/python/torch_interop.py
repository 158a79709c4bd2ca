#!/usr/bin/python3
"""Interop test: a model file written by `ae train` loads into the matching PyTorch module and reproduces
`ae`'s reconstructions.

Usage: torch_interop.py MODEL.safetensors RECON.f32 [N [CLASS]]

Reads the safetensors file with json + numpy only (8-byte little-endian header length, JSON header,
raw little-endian tensors), builds the torch module its __metadata__.config describes (nn.Sequential
encoder/decoder with activations interleaved, so state_dict names are encoder.0.weight, encoder.2.weight,
...), loads the tensors with load_state_dict(strict=True), reconstructs the first N test images of the data
set named in the metadata (Fashion-MNIST from /usr/share/datasets/fashion-mnist, read with gzip + numpy),
and compares with RECON.f32 (float32 [N, D], written by `ae reconstruct --first N`): max |difference| must
be below 1e-5. For a vqvae each group of codebook_dim code units is replaced by its nearest codebook row. For a
VAE the reconstruction is the decoder applied to the posterior mean mu (no sampling).
For a conditional VAE (cvae) the one-hot test label y is concatenated to the encoder's input [x, y] and to
the decoder's [mu, y]; with CLASS the decoder reads [mu, one-hot CLASS] instead (`ae reconstruct --class`).
Only Debian's python3-torch, numpy and the standard library are used.
"""
import gzip
import json
import struct
import sys

import numpy as np
import torch
from torch import nn

DTYPES = {'F32': np.float32, 'F64': np.float64, 'F16': np.float16, 'I64': np.int64, 'I32': np.int32}


def read_safetensors(path):
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__', {})
    data = raw[8 + n:]
    tensors = {}
    for name, t in header.items():
        b, e = t['data_offsets']
        arr = np.frombuffer(data[b:e], dtype=np.dtype(DTYPES[t['dtype']]).newbyteorder('<')).reshape(t['shape'])
        tensors[name] = torch.from_numpy(arr.astype(np.float32))
    return tensors, meta


def activation(name):
    return {'identity': nn.Identity(), 'relu': nn.ReLU(), 'leaky_relu': nn.LeakyReLU(0.01),
            'sigmoid': nn.Sigmoid(), 'tanh': nn.Tanh()}[name]


def mlp(widths, hidden, last):
    """Linear layers widths[0] -> widths[1] -> ..., each followed by an activation (hidden, then `last`)."""
    layers = []
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        layers.append(activation(last if i == len(widths) - 2 else hidden))
    return nn.Sequential(*layers)


class AE(nn.Module):
    def __init__(self, m):
        super().__init__()
        d = m['input_rows'] * m['input_cols']
        dec = m['decoder'] or list(reversed(m['encoder']))
        self.encoder = mlp([d] + m['encoder'] + [m['latent']], m['activation'], m['latent_activation'])
        self.decoder = mlp([m['latent']] + dec + [d], m['activation'], m['output'])

    def forward(self, x):
        return self.decoder(self.encoder(x))


class VQ(AE):
    """VQ-VAE (core/include/ae/autoencoder.h): the plain autoencoder's stacks with a codebook [K, d] between them;
    each group of d code units is replaced by its nearest entry (ties to the lowest index) before the decoder.
    code_counts [M, K] is a buffer (the sampling prior), not used by the reconstruction."""
    def __init__(self, m):
        super().__init__(m)
        self.d = m['codebook_dim']
        self.codebook = nn.Parameter(torch.zeros(m['codebook_size'], self.d))
        self.register_buffer('code_counts', torch.zeros(m['latent'] // self.d, m['codebook_size']))

    def forward(self, x):
        g = self.encoder(x).reshape(x.shape[0], -1, self.d)
        idx = (g[:, :, None, :] - self.codebook[None, None]).pow(2).sum(-1).argmin(-1)
        return self.decoder(self.codebook[idx].reshape(x.shape[0], -1))


def build(config, tensors):
    m = config['model']
    if m['type'] in ('vae', 'cvae'):
        return build_vae(m, tensors)
    if m['type'] == 'vqvae':
        return VQ(m)
    return AE(m)


def build_vae(m, tensors):
    """VAE (see core/include/ae/autoencoder.h): encoder = hidden layers only, each followed by the activation
    (an empty Sequential for encoder []), heads mu and logvar = Linear(last hidden or D, latent), decoder as
    in the plain autoencoder. The reconstruction compared is the decoder applied to mu (no sampling)."""
    d = m['input_rows'] * m['input_cols']
    c = m['num_classes'] if m['type'] == 'cvae' else 0
    dec = m['decoder'] or list(reversed(m['encoder']))
    h = m['encoder'][-1] if m['encoder'] else d + c

    class VAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = mlp([d + c] + m['encoder'], m['activation'], m['activation'])
            self.mu = nn.Linear(h, m['latent'])
            self.logvar = nn.Linear(h, m['latent'])
            self.decoder = mlp([m['latent'] + c] + dec + [d], m['activation'], m['output'])

        def forward(self, x, y=None, y_out=None):
            if not c:
                return self.decoder(self.mu(self.encoder(x)))
            mu = self.mu(self.encoder(torch.cat([x, y], 1)))
            return self.decoder(torch.cat([mu, y if y_out is None else y_out], 1))

    return VAE()


def test_images(name, n):
    if name != 'fashion-mnist':
        raise SystemExit(f'data set {name!r}: this test reads fashion-mnist only')
    with gzip.open('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz') as f:
        raw = f.read()
    magic, count, rows, cols = struct.unpack('>IIII', raw[:16])
    assert magic == 0x803 and count >= n
    return np.frombuffer(raw[16:16 + n * rows * cols], dtype=np.uint8).reshape(n, rows * cols).astype(np.float32) / 255


def test_labels(n, classes):
    with gzip.open('/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz') as f:
        raw = f.read()
    assert struct.unpack('>II', raw[:8])[0] == 0x801
    y = np.frombuffer(raw[8:8 + n], dtype=np.uint8).astype(np.int64)
    return torch.nn.functional.one_hot(torch.from_numpy(y), classes).float()


def main():
    model_path, recon_path = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 16
    torch.set_num_threads(1)
    tensors, meta = read_safetensors(model_path)
    # The rule of core/include/ae/model_file.h: tensors named "optimizer.*" are the optimizer's moments
    # (optimizer.m.<param>, optimizer.v.<param>), not part of the state_dict.
    opt = [k for k in tensors if k.startswith('optimizer.')]
    assert not opt or meta.get('optimizer') in ('adam', 'adamw', 'sgd'), meta.get('optimizer')
    tensors = {k: v for k, v in tensors.items() if not k.startswith('optimizer.')}
    config = json.loads(meta['config'])
    module = build(config, tensors)
    module.load_state_dict(tensors, strict=True)  # every name and shape must match, nothing left over
    module.eval()
    x = torch.from_numpy(test_images(meta.get('data', 'fashion-mnist'), n))
    with torch.no_grad():
        if config['model']['type'] == 'cvae':
            k = config['model']['num_classes']
            y = test_labels(n, k)
            y_out = None
            if len(sys.argv) > 4:
                y_out = torch.nn.functional.one_hot(torch.full((n,), int(sys.argv[4])), k).float()
            ours = module(x, y, y_out).numpy()
        else:
            ours = module(x).numpy()
    theirs = np.fromfile(recon_path, dtype='<f4')
    d = config['model']['input_rows'] * config['model']['input_cols']
    assert theirs.size == n * d, (theirs.size, n, d)
    theirs = theirs.reshape(n, d)
    diff = float(np.max(np.abs(ours - theirs)))
    print(f'{config["model"]["type"]}: {len(tensors)} tensors loaded strictly into torch; '
          f'max |torch - ae| over {n} reconstructions = {diff:.3g}')
    if not diff < 1e-5:
        raise SystemExit(f'FAIL: max difference {diff} >= 1e-5')


if __name__ == '__main__':
    main()
