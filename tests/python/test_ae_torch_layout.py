#!/usr/bin/python3
"""python/ae_torch.py's builder implements the fixed naming rules (no `ae` binary needed).

Checks the module layouts, state_dict names, shapes and Sequential indices of:
  - the reference convolutional VAE B3 (`--model vae --encoder c32k4s2p1,c64k4s2p1 --latent 20`), exactly as
    the rules in the brief and ae_torch's docstrings state;
  - dense ae and vae layouts (today's C++ naming), a conv ae with pooling and widths (mirror decoder with
    Upsample and output_padding), an explicit conv decoder;
  - shape errors: ValueError naming the layer and the sizes;
and that save() -> load() round-trips strictly with identical outputs (encode, decode, reconstruct).
"""
import json
import os
import sys
import tempfile

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'python'))
import ae_torch  # noqa: E402


def layout(module):
    return [(k, tuple(v.shape)) for k, v in module.state_dict().items()]


def kinds(seq):
    return [type(m).__name__ for m in seq]


def roundtrip(model, tmp, name):
    path = os.path.join(tmp, name + '.safetensors')
    ae_torch.save(model, model.config, path, epoch=3, step=70)
    back = ae_torch.load(path)
    assert layout(back) == layout(model), (layout(back), layout(model))
    assert (back.epoch, back.step) == (3, 70)
    _, meta = ae_torch.read_safetensors(path)
    assert meta['format'] == 'autoencoder-lab/1' and json.loads(meta['config']) == model.config, meta
    raw = open(path, 'rb').read()
    n = int.from_bytes(raw[:8], 'little')
    header = json.loads(raw[8:8 + n])
    assert (8 + n) % 8 == 0
    assert [k for k in header if k != '__metadata__'] == [k for k, _ in layout(model)], 'tensor order'
    assert all(v['dtype'] == 'F32' for k, v in header.items() if k != '__metadata__')
    model.eval()
    x = ae_torch.load_images('t10k', limit=8)
    with torch.no_grad():
        for f in ('encode', 'reconstruct'):
            a, b = getattr(model, f)(x), getattr(back, f)(x)
            assert torch.equal(a, b), f
        z = model.encode(x)
        assert torch.equal(model.decode(z), back.decode(z))
        y = back.reconstruct(x)
        assert y.shape == x.shape and float(y.min()) >= 0 and float(y.max()) <= 1
    return back


def main():
    torch.manual_seed(0)
    tmp = tempfile.mkdtemp(prefix='ae_torch_layout_')

    # B3, the reference convolutional VAE.
    b3 = ae_torch.build({'model': {'type': 'vae', 'encoder': ['c32k4s2p1', 'c64k4s2p1'], 'latent': 20}})
    assert kinds(b3.encoder) == ['Unflatten', 'Conv2d', 'ReLU', 'Conv2d', 'ReLU', 'Flatten'], kinds(b3.encoder)
    assert b3.encoder[0].unflattened_size == (1, 28, 28)
    c1, c2 = b3.encoder[1], b3.encoder[3]
    assert (c1.in_channels, c1.out_channels, c1.kernel_size, c1.stride, c1.padding) == (1, 32, (4, 4), (2, 2), (1, 1))
    assert (c2.in_channels, c2.out_channels, c2.kernel_size, c2.stride, c2.padding) == (32, 64, (4, 4), (2, 2), (1, 1))
    assert kinds(b3.decoder) == ['Linear', 'ReLU', 'Unflatten', 'ConvTranspose2d', 'ReLU', 'ConvTranspose2d',
                                 'Flatten'], kinds(b3.decoder)
    assert b3.decoder[2].unflattened_size == (64, 7, 7)
    t1, t2 = b3.decoder[3], b3.decoder[5]
    assert (t1.in_channels, t1.out_channels, t1.kernel_size, t1.stride, t1.padding, t1.output_padding) == \
        (64, 32, (4, 4), (2, 2), (1, 1), (0, 0))
    assert (t2.in_channels, t2.out_channels, t2.kernel_size, t2.stride, t2.padding, t2.output_padding) == \
        (32, 1, (4, 4), (2, 2), (1, 1), (0, 0))
    expected = [('encoder.1.weight', (32, 1, 4, 4)), ('encoder.1.bias', (32,)),
                ('encoder.3.weight', (64, 32, 4, 4)), ('encoder.3.bias', (64,)),
                ('mu.weight', (20, 3136)), ('mu.bias', (20,)), ('logvar.weight', (20, 3136)), ('logvar.bias', (20,)),
                ('decoder.0.weight', (3136, 20)), ('decoder.0.bias', (3136,)),
                ('decoder.3.weight', (64, 32, 4, 4)), ('decoder.3.bias', (32,)),
                ('decoder.5.weight', (32, 1, 4, 4)), ('decoder.5.bias', (1,))]
    assert layout(b3) == expected, layout(b3)
    x = ae_torch.load_images('t10k', limit=4)
    b3.train()
    logits, mu, logvar = b3(x)
    assert logits.shape == (4, 784) and mu.shape == logvar.shape == (4, 20)
    loss = b3.loss(x)
    loss.backward()
    assert all(p.grad is not None for p in b3.parameters())
    roundtrip(b3, tmp, 'b3')
    print('B3 conv VAE: names, shapes, indices as specified; save/load strict, identical outputs')

    # Dense layouts of today's C++ (autoencoder.h).
    ae = ae_torch.build({'model': {'type': 'ae', 'encoder': [64, 32], 'latent': 3, 'latent_activation': 'tanh',
                                   'activation': 'identity'}})
    assert kinds(ae.encoder) == ['Linear', 'Identity', 'Linear', 'Identity', 'Linear', 'Tanh']
    assert kinds(ae.decoder) == ['Linear', 'Identity', 'Linear', 'Identity', 'Linear']
    assert [k for k, _ in layout(ae)] == ['encoder.0.weight', 'encoder.0.bias', 'encoder.2.weight', 'encoder.2.bias',
                                          'encoder.4.weight', 'encoder.4.bias', 'decoder.0.weight', 'decoder.0.bias',
                                          'decoder.2.weight', 'decoder.2.bias', 'decoder.4.weight', 'decoder.4.bias']
    assert layout(ae)[-2] == ('decoder.4.weight', (784, 64))
    roundtrip(ae, tmp, 'ae')
    vae_flat = ae_torch.build({'model': {'type': 'vae', 'encoder': [], 'latent': 4}})
    assert len(vae_flat.encoder) == 0
    assert layout(vae_flat)[:4] == [('mu.weight', (4, 784)), ('mu.bias', (4,)), ('logvar.weight', (4, 784)),
                                    ('logvar.bias', (4,))]
    roundtrip(vae_flat, tmp, 'vae_flat')
    print('dense ae / vae: today\'s names')

    # Conv ae with pooling and widths: mirror decoder with output_padding and Upsample.
    cae = ae_torch.build({'model': {'type': 'ae', 'encoder': ['c8k3', 'm2', 'c16k3s2', 64], 'latent': 4}})
    assert kinds(cae.encoder) == ['Unflatten', 'Conv2d', 'ReLU', 'MaxPool2d', 'Conv2d', 'ReLU', 'Flatten', 'Linear',
                                  'ReLU', 'Linear'], kinds(cae.encoder)
    assert cae.encoder[1].padding == (1, 1) and cae.encoder[4].padding == (0, 0)  # default (k - s) // 2
    assert kinds(cae.decoder) == ['Linear', 'ReLU', 'Linear', 'ReLU', 'Unflatten', 'ConvTranspose2d', 'ReLU',
                                  'Upsample', 'ConvTranspose2d', 'Flatten'], kinds(cae.decoder)
    assert cae.decoder[4].unflattened_size == (16, 6, 6)
    assert cae.decoder[5].output_padding == (1, 1)  # 6 -> 13 without, 14 with
    assert cae.decoder[2].out_features == 16 * 6 * 6
    roundtrip(cae, tmp, 'cae')
    # Explicit conv decoder with a leading width, leaky_relu hidden activations, sigmoid code.
    exp = ae_torch.build({'model': {'type': 'sparse', 'encoder': ['c4k4s2p1'], 'decoder': [32, 't4k3s1p1', 'u2',
                                    't1k3s1p1'], 'latent': 8, 'activation': 'leaky_relu'}})
    assert kinds(exp.decoder) == ['Linear', 'LeakyReLU', 'Linear', 'LeakyReLU', 'Unflatten', 'ConvTranspose2d',
                                  'LeakyReLU', 'Upsample', 'ConvTranspose2d', 'Flatten'], kinds(exp.decoder)
    assert kinds(exp.encoder)[-1] == 'Sigmoid'
    roundtrip(exp, tmp, 'explicit')
    # A dense encoder keeps the dense names; an explicit conv decoder then unflattens to the input's C x H x W.
    mixed = ae_torch.build({'model': {'type': 'vae', 'encoder': [64], 'decoder': ['t4k3', 't1k3'], 'latent': 3}})
    assert kinds(mixed.encoder) == ['Linear', 'ReLU'] and layout(mixed)[0] == ('encoder.0.weight', (64, 784))
    assert kinds(mixed.decoder) == ['Linear', 'ReLU', 'Unflatten', 'ConvTranspose2d', 'ReLU', 'ConvTranspose2d',
                                    'Flatten'], kinds(mixed.decoder)
    assert mixed.decoder[0].out_features == 784 and mixed.decoder[2].unflattened_size == (1, 28, 28)
    roundtrip(mixed, tmp, 'mixed')
    # Three input channels.
    rgb = ae_torch.build({'model': {'type': 'ae', 'input_channels': 3, 'input_rows': 8, 'input_cols': 8,
                                    'encoder': ['c6k3'], 'latent': 5}})
    assert rgb.input_dim == 192 and rgb.encoder[0].unflattened_size == (3, 8, 8)
    assert rgb.reconstruct(torch.rand(2, 192)).shape == (2, 192)
    print('conv ae (pool, widths, output_padding), explicit conv decoder, 3 channels')

    # Shape and spec errors name the layer and the sizes.
    bad = [({'encoder': ['c8k3', 'c8k9s1p0', 'c8k9s1p0', 'c8k9s1p0', 'c8k9s1p0']}, ['encoder[4]', '8x4x4']),
           ({'encoder': ['m3']}, ['Upsample(3)', '9x9', '28x28']),
           ({'encoder': ['c8k4s2p1'], 'decoder': ['t4k3s1p1', 't1k3s1p1']}, ['decoder', '1x14x14', '1x28x28']),
           ({'encoder': [64, 'c8k3']}, ['encoder[1]', "'c8k3'"]),
           ({'encoder': ['x5']}, ['encoder[0]', "'x5'"]),
           ({'encoder': ['c8k3'], 'decoder': ['c8k3']}, ['decoder', '8x28x28', '1x28x28'])]
    for fields, words in bad:
        try:
            ae_torch.build({'model': dict({'type': 'ae', 'latent': 2}, **fields)})
        except ValueError as e:
            assert all(w in str(e) for w in words), (str(e), words)
            print('  ValueError:', e)
        else:
            raise AssertionError(f'no ValueError for {fields}')
    objectives()
    print('ok')


def objectives():
    """The penalties and corruptions of loss_terms against direct computations."""
    x = ae_torch.load_images('t10k', limit=6)
    # One-layer contractive: the closed form equals ||J||_F^2 from autograd's Jacobian.
    c1 = ae_torch.build({'model': {'type': 'contractive', 'latent': 16}}).eval()
    exact = sum(float(torch.autograd.functional.jacobian(lambda v: c1.encoder(v[None])[0], xi).pow(2).sum()) for xi in x)
    closed = float(c1.contractive_penalty(x))
    assert abs(closed - exact) <= 1e-5 * exact, (closed, exact)
    # Deep contractive: the one-probe Hutchinson estimate is unbiased (mean of 400 probes within 10%).
    c2 = ae_torch.build({'model': {'type': 'contractive', 'encoder': [32], 'latent': 8, 'activation': 'tanh'}})
    exact = sum(float(torch.autograd.functional.jacobian(lambda v: c2.encoder(v[None])[0], xi).pow(2).sum()) for xi in x)
    torch.manual_seed(1)
    est = float(c2.contractive_penalty(x.repeat(400, 1))) / 400
    assert abs(est - exact) < 0.1 * exact, (est, exact)
    terms = c2.eval().loss_terms(x)
    assert float(terms['contractive']) > 0 and torch.isclose(
        terms['total'], terms['reconstruction'] + terms['contractive'])
    print(f'contractive: closed form = autograd Jacobian ({closed:.5g}); probe estimate {est:.4g} vs exact {exact:.4g}')
    # Sparsity terms by hand.
    s = ae_torch.build({'model': {'type': 'sparse', 'latent': 10, 'sparsity_target': 0.1}}).eval()
    h = s.encode(x)
    rh = h.mean(0)
    kl = (0.1 * torch.log(0.1 / rh) + 0.9 * torch.log(0.9 / (1 - rh))).sum()
    assert torch.isclose(s.loss_terms(x)['sparsity'], 0.1 * kl)
    l1 = ae_torch.build({'model': {'type': 'ae', 'encoder': [], 'latent': 10, 'sparsity': 'l1'}}).eval()
    assert l1.model_config['sparsity_weight'] == 1e-3  # naming the penalty sets its default weight, as the C++
    assert torch.isclose(l1.loss_terms(x)['sparsity'], 1e-3 * l1.encode(x).abs().sum(1).mean())
    # VAE: summed BCE per image + beta * KL per image, eval mode decodes mu.
    v = ae_torch.build({'model': {'type': 'vae', 'encoder': [32], 'latent': 4, 'beta': 2.0}}).eval()
    mu, lv = v.encode_gaussian(x)
    bce = torch.nn.functional.binary_cross_entropy(v.decode(mu), x, reduction='sum') / len(x)
    kl = 0.5 * (mu.pow(2) + lv.exp() - 1 - lv).sum() / len(x)
    t = v.loss_terms(x)
    assert torch.isclose(t['reconstruction'], bce, rtol=1e-4) and torch.isclose(t['kl'], kl)
    assert torch.isclose(t['total'], bce + 2.0 * kl, rtol=1e-4)
    # Corruptions.
    g = torch.Generator().manual_seed(3)
    big = torch.full((200, 784), 0.5)
    for kind, level, check in [
            ('masking', 0.3, lambda y: abs(float((y == 0).float().mean()) - 0.3) < 0.01),
            ('salt_pepper', 0.2, lambda y: abs(float((y != 0.5).float().mean()) - 0.2) < 0.01 and
             abs(float((y == 1).float().mean()) - 0.1) < 0.01),
            ('gaussian', 0.3, lambda y: abs(float((y - 0.5).std()) - 0.3) < 0.01),
            ('block', 5, lambda y: bool(((y == 0).sum(1) == 25).all()) and
             bool(((y == 0).reshape(200, 28, 28).any(2).sum(1) == 5).all()))]:
        d = ae_torch.build({'model': {'type': 'denoising', 'encoder': [], 'latent': 4, 'corruption': kind,
                                      'corruption_level': level}})
        y = d.corrupt(big, generator=g)
        assert check(y), kind
    print('sparsity (l1, kl), vae terms, corruptions (masking, salt_pepper, gaussian, block): as specified')
    # VQ-VAE: nearest entries, straight-through, codebook and commitment terms (means over n * latent).
    q = ae_torch.build({'model': {'type': 'vqvae', 'encoder': [32], 'latent': 8, 'codebook_dim': 4,
                                  'codebook_size': 16}}).eval()
    with torch.no_grad():
        q.codebook.uniform_(-0.3, 0.3)
    z_e = q.encoder(x)
    z_q, idx = q.quantize(z_e)
    assert idx.shape == (len(x), 2) and torch.equal(z_q, q.codebook[idx].reshape(len(x), -1))
    best = (z_e.reshape(len(x), 2, 1, 4) - q.codebook[None, None]).pow(2).sum(-1).min(-1).values
    assert torch.allclose((z_e.reshape(len(x), 2, 4) - z_q.reshape(len(x), 2, 4)).pow(2).sum(-1), best, atol=1e-6)
    t = q.loss_terms(x)
    mse = (z_e - z_q).pow(2).mean()
    assert torch.isclose(t['codebook'], mse) and torch.isclose(t['commitment'], 0.25 * mse)
    assert torch.isclose(t['total'], t['reconstruction'] + 1.25 * mse)
    q.zero_grad()
    t['total'].backward()
    g = torch.zeros_like(q.codebook)  # d/de_k mean (sg(z_e) - e)^2 = 2 (e_k - z_e) / (n latent) per group
    diff = (z_q - z_e).detach().reshape(len(x), 2, 4)
    g.index_add_(0, idx.reshape(-1), diff.reshape(-1, 4) * (2.0 / z_e.numel()))
    assert torch.allclose(q.codebook.grad, g, atol=1e-7), 'codebook gradient'
    back = roundtrip(q, tempfile.mkdtemp(prefix='ae_torch_vqvae_'), 'vqvae')
    assert torch.equal(back.code_counts, q.code_counts) and back.sample_codes(5).shape == (5, 8)
    print('vqvae: nearest entries, codebook/commitment terms and the codebook gradient as specified; round trip')


if __name__ == '__main__':
    main()
