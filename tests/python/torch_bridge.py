#!/usr/bin/python3
"""Checks of python/ae_torch.py against files and outputs of the real `ae` binary (driven by
torch_bridge.sh). Subcommands:

  check N LIMIT_TEST RUN_DIR...
      for each `ae train --out RUN_DIR` (model.safetensors, metrics.json, and recon.f32 / codes.f32 written by
      `ae reconstruct --first N --out RECON --codes CODES`): ae_torch.load (strict), then on the first N
      Fashion-MNIST test images reconstruct() and encode() against ae's (max |difference| < 1e-5; codes
      relative to max(1, |code|)); and loss_terms() on the LIMIT_TEST test images `ae train` evaluated
      against metrics.json's final test_terms (relative 1e-4) for the terms `ae train` computes without
      noise (skipped when RUN_DIR has no metrics.json): every term of the types without corruption and without probes (ae, linear, sparse, a one-layer
      contractive), the KL term of the VAE (it depends on mu and logvar only).
  resave MODEL OUT
      load and ae_torch.save (epoch, step, config and the other metadata kept): same metadata, same tensors,
      and the file is byte-identical to MODEL.
  same-eval A.json B.json
      two `ae eval` JSON reports have equal reconstruction / knn / pca / vae numbers.
  eval-sane EVAL.json
      the report's numbers are finite and in range (MSE in (0, 0.2), PSNR > 5 dB, 0 < SSIM < 1, kNN > 0.1).
  continued START.safetensors START_eval.json OUT.safetensors OUT_eval.json
      OUT continues START (epoch + 1, step further) and its test loss is lower (VAE: ELBO higher; others:
      reconstruction BCE/MSE lower).
"""
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'python'))
import ae_torch  # noqa: E402


def fail(msg):
    raise SystemExit('FAIL: ' + msg)


def check(n, limit_test, *dirs):
    n, limit_test = int(n), int(limit_test)
    torch.set_num_threads(1)
    for d in dirs:
        check_one(os.path.join(d, 'model.safetensors'), os.path.join(d, 'recon.f32'), os.path.join(d, 'codes.f32'), n,
                  os.path.join(d, 'metrics.json'), limit_test)


def check_one(model_path, recon_path, codes_path, n, metrics_path, limit_test):
    model = ae_torch.load(model_path)
    m = model.model_config
    x = ae_torch.load_images('t10k', limit=max(n, limit_test))
    y = ae_torch.load_labels('t10k', limit=max(n, limit_test)) if model.is_conditional else None  # cvae
    yn, yt = (None, None) if y is None else (y[:n], y[:limit_test])
    with torch.no_grad():
        recon = model.reconstruct(x[:n], yn).numpy()
        codes = model.encode(x[:n], yn).numpy()
        theirs_r = np.fromfile(recon_path, dtype='<f4').reshape(n, model.input_dim)
        theirs_z = np.fromfile(codes_path, dtype='<f4').reshape(n, m['latent'])
        dr = float(np.max(np.abs(recon - theirs_r)))
        dz = float(np.max(np.abs(codes - theirs_z) / np.maximum(1.0, np.abs(theirs_z))))
        print(f'{os.path.basename(os.path.dirname(model_path))} ({m["type"]}): {len(model.state_dict())} tensors strict; over {n} test images max |reconstruct - ae| '
              f'= {dr:.3g}, max |encode - ae| / max(1, |code|) = {dz:.3g} (largest |code| {np.abs(theirs_z).max():.3g})')
        if not dr < 1e-5:
            fail(f'reconstructions differ by {dr}')
        if not dz < 1e-5:
            fail(f'codes differ by {dz}')
        deep_contractive = m['type'] == 'contractive' and len([l for l in model.encoder
                                                               if isinstance(l, torch.nn.Linear)]) > 1
        keys = []
        if m['corruption'] == 'none' and not model.is_vae and not deep_contractive:
            keys = ['reconstruction', 'sparsity', 'contractive', 'total']
            if model.is_vq:
                keys += ['codebook', 'commitment']
        elif model.is_vae:
            keys = ['kl']
        if keys and os.path.exists(metrics_path):
            ours = {k: float(v) for k, v in model.loss_terms(x[:limit_test], y=yt).items()}
            theirs = json.load(open(metrics_path))['epochs'][-1]['test_terms']
            for k in keys:
                rel = abs(ours[k] - theirs[k]) / max(abs(theirs[k]), 1e-12)
                if not (rel < 1e-4 or abs(ours[k] - theirs[k]) < 1e-9):
                    fail(f'loss term {k}: ae_torch {ours[k]} vs ae train {theirs[k]}')
            print(f'  loss_terms on {limit_test} test images = ae train\'s test terms: ' +
                  ', '.join(f'{k} {ours[k]:.6g}' for k in keys))


def resave(model_path, out):
    model = ae_torch.load(model_path)
    ae_torch.save(model, model.config, out)
    back = ae_torch.load(out)
    tensors_a, meta_a = ae_torch.read_safetensors(model_path)
    _, meta_b = ae_torch.read_safetensors(out)
    # The optimizer state (model_file.h: "optimizer.*" tensors and metadata) stays behind: everything else
    # is kept, and a file without optimizer state comes back byte for byte.
    has_optimizer = any(k.startswith(ae_torch.OPTIMIZER_PREFIX) for k in tensors_a)
    meta_a = {k: v for k, v in meta_a.items() if k not in ae_torch.OPTIMIZER_METADATA}
    if meta_a != meta_b:
        fail(f'metadata changed: {meta_a} vs {meta_b}')
    for (ka, va), (kb, vb) in zip(model.state_dict().items(), back.state_dict().items()):
        if ka != kb or not torch.equal(va, vb):
            fail(f'tensor {ka} / {kb} changed')
    if not has_optimizer and open(model_path, 'rb').read() != open(out, 'rb').read():
        fail(f'{out} is not byte-identical to {model_path}')
    print(f'{out}: written by ae_torch.save from the loaded module: the same tensors and metadata as {model_path}' +
          (' (without its optimizer state)' if has_optimizer else ', byte-identical'))


def flat(j, keys=('reconstruction', 'knn', 'pca', 'vae')):
    out = {}
    for k in keys:
        if k in j:
            for name, v in j[k].items():
                if isinstance(v, (int, float)):
                    out[f'{k}.{name}'] = v
    return out


def same_eval(a, b):
    fa, fb = flat(json.load(open(a))), flat(json.load(open(b)))
    if fa != fb:
        fail(f'eval reports differ: {fa} vs {fb}')
    print(f'ae eval of both files: {len(fa)} numbers identical (e.g. mse {fa["reconstruction.mse"]:.6g})')


def eval_sane(path):
    j = json.load(open(path))
    r, k = j['reconstruction'], j['knn']
    ok = (0 < r['mse'] < 0.2 and r['psnr_db'] > 5 and 0 < r['ssim'] < 1 and 0 < r['bce'] < 1 and
          k['ae_accuracy'] > 0.1 and all(math.isfinite(v) for v in flat(j).values()))
    if not ok:
        fail(f'{path}: numbers out of range: {flat(j)}')
    print(f'{path}: mse {r["mse"]:.5f}, bce {r["bce"]:.5f}, psnr {r["psnr_db"]:.2f} dB, ssim {r["ssim"]:.3f}, '
          f'kNN {k["ae_accuracy"]:.3f}')


def continued(start, start_eval, out, out_eval):
    a, b = ae_torch.load(start), ae_torch.load(out)
    if not (b.epoch == a.epoch + 1 and b.step > a.step):
        fail(f'training state not continued: {a.epoch}/{a.step} -> {b.epoch}/{b.step}')
    ja, jb = json.load(open(start_eval)), json.load(open(out_eval))
    if jb['state'] != {'epoch': b.epoch, 'step': b.step}:
        fail(f'ae eval read state {jb["state"]}, file has {b.epoch}/{b.step}')
    if a.is_vae:
        la, lb = -ja['vae']['elbo'], -jb['vae']['elbo']
        what = '-ELBO (nats per image)'
    else:
        key = 'bce' if a.model_config['loss'] == 'bce' else 'mse'
        la, lb = ja['reconstruction'][key], jb['reconstruction'][key]
        what = f'test {key} per pixel'
    print(f'ae eval: {what} {la:.5f} (epoch {a.epoch}, step {a.step}, ae train) -> {lb:.5f} '
          f'(epoch {b.epoch}, step {b.step}, torchrun DDP)')
    if not lb < la:
        fail(f'the loss did not go down: {la} -> {lb}')


if __name__ == '__main__':
    cmds = {'check': check, 'resave': resave, 'same-eval': same_eval, 'eval-sane': eval_sane, 'continued': continued}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        raise SystemExit(__doc__)
    cmds[sys.argv[1]](*sys.argv[2:])
