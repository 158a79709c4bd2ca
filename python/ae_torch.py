"""PyTorch bridge for autoencoder-lab model files.

Load any model file that `ae train`, the web page or the desktop app writes into an ``nn.Module``, use it
or keep training it in PyTorch (also distributed, see ``python/train_ddp.py``), and write it back in the
format every host of the project loads::

    import ae_torch
    model = ae_torch.load("runs/NAME/model.safetensors")   # nn.Module, load_state_dict(strict=True)
    z = model.encode(x)          # x: float32 [n, C*H*W] pixels in [0, 1]; the code (VAE: posterior mean mu)
    y = model.decode(z)          # reconstruction in [0, 1] (the config's output activation applied)
    y = model.reconstruct(x)     # decode(encode(x)): what `ae reconstruct` computes
    loss = model.loss(x)         # the project's training objective for the model type (see loss_terms)
    ae_torch.save(model, model.config, "continued.safetensors", epoch=model.epoch + 1, step=...)

Only torch, numpy and the standard library are used. The safetensors format is read and written here
(8-byte little-endian header length, JSON header, raw little-endian tensor bytes).

Module layout (state_dict names equal the file's tensor names; see core/include/ae/autoencoder.h):

* Non-VAE, dense: ``encoder = Sequential(Linear(D, e0), act, ..., Linear(e_last, latent)[, latent_act])``,
  ``decoder = Sequential(Linear(latent, d0), act, ..., Linear(d_last, D))`` producing logits. Hidden
  activations are always a module (``nn.Identity`` for "identity"), so Linear layers sit at even indices;
  the latent activation module is present only when it is not the identity. Decoder widths default to the
  encoder reversed (``"decoder": []``).
* VAE, dense: ``encoder`` holds the hidden layers only (``Linear + act`` pairs; an empty Sequential for
  ``"encoder": []``), heads ``mu = Linear(h, latent)`` and ``logvar = Linear(h, latent)``, decoder as above.
  File order: encoder.*, mu.*, logvar.*, decoder.*.
* Convolutional: ``"input_channels"`` (default 1) and string entries in ``encoder``/``decoder``:
  ``"c32k4s2p1"`` Conv2d(out 32, kernel 4, stride 2, padding 1) (stride default 1, padding default
  (k - s) // 2), ``"m2"`` MaxPool2d(2); in the decoder ``"t32k4s2p1"`` (optionally ``...o1``,
  output_padding) ConvTranspose2d and ``"u2"`` Upsample(scale_factor=2, mode='nearest'). Integers remain
  Linear widths: in the encoder after the convolutions, in the decoder before them. The full rules are in
  :func:`build_encoder` and :func:`build_decoder`; shape errors are ``ValueError`` naming the layer and
  the sizes.

Model types and their objective (``loss_terms``), as in core/include/ae/config.h and autoencoder.h:
every type but ``vae`` is reported per pixel (PyTorch's reduction='mean'): reconstruction = BCE from
logits (``bce``) or squared error of the output (``mse``), + sparsity (l1: weight * mean_i sum_j |h_ij|;
kl: weight * sum_j KL(rho || rho_hat_j), rho_hat = batch mean of the code, clamped to [1e-6, 1 - 1e-6])
+ contractive (weight * mean_i ||J_f(x_i)||_F^2: exact for a one-layer encoder, a one-probe Hutchinson
estimate for deeper ones, as the C++ does); denoising types corrupt the input (gaussian, salt_pepper,
masking, block) and compare with the clean image; ``hashing`` (semantic hashing) adds N(0, code_noise^2) to the
code's pre-activations before its sigmoid in training (``forward`` with sample). ``vae``: nats per image, summed BCE (or squared error)
per image + beta * KL(q(z|x) || N(0, I)) per image, z = mu + exp(logvar / 2) * eps. ``cvae`` (the
conditional VAE, Sohn et al. 2015): the vae whose encoder reads [x, y] and decoder [z, y], y the one-hot
class (``num_classes`` entries): pass the classes as ``y=`` to encode, decode, forward and loss_terms
(``load_labels`` reads them). ``vqvae`` (van den Oord et al. 2017): per pixel as above; the encoder's
linear output z_e [n, latent] is cut into latent / codebook_dim groups, each replaced by its nearest row of
``codebook`` [K, codebook_dim] (squared Euclidean, ties to the lowest index); the decoder reads
z_e + sg(z_q - z_e) (straight-through); + codebook = mean (sg(z_e) - z_q)^2 (0 for codebook_update "ema") +
commitment = vq_beta * mean (z_e - sg(z_q))^2, means over the n * latent code entries. The buffer
``code_counts`` [M, K] holds the last training epoch's code frequencies (``sample_codes`` draws from them). The
"ema" codebook update itself is not reproduced here: training in PyTorch moves the codebook by its gradient.
"""
import json
import os
import re
import struct
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

__all__ = ['load', 'save', 'build', 'Autoencoder', 'resolve_config', 'model_defaults', 'read_safetensors',
           'write_safetensors', 'load_images', 'load_labels', 'FORMAT']

FORMAT = 'autoencoder-lab/1'
MODEL_TYPES = ('ae', 'linear', 'sparse', 'denoising', 'contractive', 'vae', 'cvae', 'hashing', 'vqvae')
VAE_TYPES = ('vae', 'cvae')  # a Gaussian encoder (heads mu, logvar) and the ELBO
ACTIVATIONS = ('identity', 'relu', 'leaky_relu', 'sigmoid', 'tanh')

# --- safetensors -----------------------------------------------------------------------------------------

_NP_DTYPES = {'F64': np.float64, 'F32': np.float32, 'F16': np.float16, 'I64': np.int64, 'I32': np.int32,
              'I16': np.int16, 'I8': np.int8, 'U8': np.uint8, 'BOOL': np.bool_}


def read_safetensors(path):
    """Reads a safetensors file: returns (tensors, metadata), tensors an ordered dict name -> float32 torch
    tensor (file order, by data offset), metadata the "__metadata__" dict of strings ({} when absent)."""
    with open(path, 'rb') as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f'{path}: {len(raw)} bytes, too short for a safetensors file')
    n = struct.unpack('<Q', raw[:8])[0]
    if n > 100000000 or 8 + n > len(raw):
        raise ValueError(f'{path}: header length {n} does not fit the file ({len(raw)} bytes)')
    header = json.loads(raw[8:8 + n].decode('utf-8'))
    if not isinstance(header, dict):
        raise ValueError(f'{path}: the header is not a JSON object')
    meta = header.pop('__metadata__', None) or {}
    data = memoryview(raw)[8 + n:]
    tensors = {}
    for name, t in sorted(header.items(), key=lambda kv: kv[1]['data_offsets'][0]):
        if t['dtype'] not in _NP_DTYPES:
            raise ValueError(f'{path}: tensor {name}: dtype {t["dtype"]} is not supported by ae_torch')
        b, e = t['data_offsets']
        dt = np.dtype(_NP_DTYPES[t['dtype']]).newbyteorder('<')
        count = int(np.prod(t['shape'], dtype=np.int64))
        if e - b != count * dt.itemsize or e > len(data):
            raise ValueError(f'{path}: tensor {name}: {e - b} bytes for shape {t["shape"]} {t["dtype"]}')
        arr = np.frombuffer(data[b:e], dtype=dt).reshape(t['shape']).astype(np.float32)
        tensors[name] = torch.from_numpy(arr)
    return tensors, meta


def write_safetensors(path, tensors, metadata):
    """Writes `tensors` (an ordered mapping name -> tensor, written in that order as F32 little-endian) and
    `metadata` (str -> str) atomically: a temporary file in the same folder, fsync, then os.replace. The
    header is padded with spaces so that the data section starts at an 8-byte aligned offset, as the C++."""
    # Metadata keys sorted and compact JSON as the C++ writes them (std::map, nlohmann dump): a file that
    # ae_torch loads and saves unchanged is byte-identical to the one `ae train` wrote.
    header = {'__metadata__': {str(k): str(metadata[k]) for k in sorted(metadata, key=lambda k: str(k).encode())}}
    blobs, offset = [], 0
    for name, t in tensors.items():
        a = np.ascontiguousarray(t.detach().cpu().to(torch.float32).numpy(), dtype='<f4')
        b = a.tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(a.shape), 'data_offsets': [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    text = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    text += b' ' * ((8 - (8 + len(text)) % 8) % 8)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix='.' + os.path.basename(path) + '.', suffix='.tmp', dir=folder)
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(struct.pack('<Q', len(text)))
            f.write(text)
            for b in blobs:
                f.write(b)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# --- config ----------------------------------------------------------------------------------------------

_BASE_MODEL = {'type': 'ae', 'input_rows': 28, 'input_cols': 28, 'input_channels': 1, 'encoder': [512, 256],
               'decoder': [], 'latent': 2, 'activation': 'relu', 'latent_activation': 'identity',
               'output': 'sigmoid', 'loss': 'bce', 'init': 'torch', 'sparsity': 'none', 'sparsity_weight': 1e-3,
               'sparsity_target': 0.05, 'corruption': 'none', 'corruption_level': 0.3, 'contractive_weight': 0.1,
               'beta': 1.0, 'kl_warmup_epochs': 0, 'code_noise': 4.0, 'num_classes': 0,
               'codebook_size': 64, 'codebook_dim': 4, 'vq_beta': 0.25, 'codebook_update': 'loss', 'ema_decay': 0.99,
               'dead_code_restart': True}
_TYPE_DEFAULTS = {
    'ae': {},
    'linear': {'encoder': [], 'latent': 8, 'activation': 'identity', 'latent_activation': 'identity',
               'output': 'identity', 'loss': 'mse'},
    'sparse': {'encoder': [], 'latent': 64, 'latent_activation': 'sigmoid', 'sparsity': 'kl',
               'sparsity_weight': 0.1},
    'denoising': {'latent': 32, 'corruption': 'gaussian', 'corruption_level': 0.3},
    'contractive': {'encoder': [], 'latent': 64, 'latent_activation': 'sigmoid', 'contractive_weight': 0.1},
    'vae': {'encoder': [400], 'latent': 20, 'latent_activation': 'identity', 'loss': 'bce'},
    # The conditional VAE (Sohn et al. 2015): the one-hot class y (num_classes) joins the encoder's input
    # [x, y] and the decoder's [z, y].
    'cvae': {'encoder': [400], 'latent': 2, 'latent_activation': 'identity', 'loss': 'bce', 'num_classes': 10},
    'hashing': {'latent': 32, 'latent_activation': 'sigmoid', 'loss': 'bce', 'code_noise': 4.0},
    'vqvae': {'latent': 16, 'latent_activation': 'identity', 'loss': 'bce'},
}
_BASE_TRAIN = {'optimizer': 'adam', 'lr': 1e-3, 'momentum': 0.9, 'beta1': 0.9, 'beta2': 0.999, 'eps': 1e-8,
               'weight_decay': 0.0, 'batch': 256, 'epochs': 10, 'seed': 1, 'threads': 1}
_SPARSITY_DEFAULT_WEIGHT = {'none': 0.0, 'l1': 1e-3, 'kl': 0.1}


def model_defaults(model_type):
    """The "model" defaults of a model type (ae::model_defaults in core/include/ae/config.h)."""
    if model_type not in MODEL_TYPES:
        raise ValueError(f'model.type: unknown model type {model_type!r} (expected {", ".join(MODEL_TYPES)})')
    m = dict(_BASE_MODEL, type=model_type)
    m.update(_TYPE_DEFAULTS[model_type])
    return {k: (list(v) if isinstance(v, list) else v) for k, v in m.items()}


def resolve_config(config):
    """The full config (every field) a config dict or JSON string describes, applying the defaults the C++
    applies (config_from_json): the type's defaults first, naming a sparsity penalty sets its default weight,
    explicit fields win. Raises ValueError for unknown fields or values the builder cannot use."""
    if isinstance(config, (str, bytes)):
        config = json.loads(config)
    if not isinstance(config, dict):
        raise ValueError('config: expected a JSON object')
    unknown = set(config) - {'model', 'train'}
    if unknown:
        raise ValueError(f'config: unknown field(s) {sorted(unknown)}')
    mj, tj = config.get('model', {}), config.get('train', {})
    m = model_defaults(mj.get('type', 'ae'))
    for k in mj:
        if k not in m:
            raise ValueError(f'model.{k}: unknown field')
    if mj.get('sparsity', 'none') != 'none':
        m['sparsity_weight'] = _SPARSITY_DEFAULT_WEIGHT.get(mj['sparsity'], 0.0)
    m.update({k: (list(v) if isinstance(v, list) else v) for k, v in mj.items()})
    t = dict(_BASE_TRAIN)
    for k in tj:
        if k not in t:
            raise ValueError(f'train.{k}: unknown field')
    t.update(tj)
    for key in ('activation', 'latent_activation', 'output'):
        if m[key] == 'leakyrelu':
            m[key] = 'leaky_relu'
        if m[key] not in ACTIVATIONS:
            raise ValueError(f'model.{key}: unknown activation {m[key]!r} (expected {", ".join(ACTIVATIONS)})')
    if m['loss'] not in ('bce', 'mse'):
        raise ValueError(f'model.loss: expected bce or mse, got {m["loss"]!r}')
    if m['loss'] == 'bce' and m['output'] != 'sigmoid':
        raise ValueError('model.output: loss bce needs a sigmoid output')
    if m['type'] in VAE_TYPES and m['latent_activation'] != 'identity':
        raise ValueError('model.latent_activation: the vae code layer is the linear mu head: must be identity')
    if m['type'] == 'hashing' and m['latent_activation'] != 'sigmoid':
        raise ValueError('model.latent_activation: semantic hashing needs a sigmoid code (latent_activation sigmoid)')
    if m['sparsity'] not in ('none', 'l1', 'kl'):
        raise ValueError(f'model.sparsity: expected none, l1 or kl, got {m["sparsity"]!r}')
    if m['corruption'] not in ('none', 'gaussian', 'salt_pepper', 'masking', 'block'):
        raise ValueError(f'model.corruption: unknown corruption {m["corruption"]!r}')
    if m['type'] == 'cvae':
        if not isinstance(m['num_classes'], int) or m['num_classes'] < 2:
            raise ValueError(f'model.num_classes: a conditional VAE needs at least 2 classes, got {m["num_classes"]!r}')
        if _has_specs(m['encoder']) or _has_specs(m['decoder']):
            raise ValueError('model.encoder: the conditional VAE is implemented for Dense layers only')
    for key in ('input_rows', 'input_cols', 'input_channels', 'latent'):
        if not isinstance(m[key], int) or m[key] < 1:
            raise ValueError(f'model.{key}: expected an integer >= 1, got {m[key]!r}')
    if m['type'] == 'vqvae':
        if m['latent_activation'] != 'identity':
            raise ValueError('model.latent_activation: the vqvae quantises the linear z_e: must be identity')
        if not isinstance(m['codebook_size'], int) or m['codebook_size'] < 2:
            raise ValueError(f'model.codebook_size: a codebook needs at least 2 entries, got {m["codebook_size"]!r}')
        d = m['codebook_dim']
        if not isinstance(d, int) or d < 1 or m['latent'] % d:
            raise ValueError(f'model.codebook_dim: the latent size {m["latent"]} must be a multiple of codebook_dim {d!r}')
        if m['codebook_update'] not in ('loss', 'ema'):
            raise ValueError(f'model.codebook_update: expected loss or ema, got {m["codebook_update"]!r}')
    return {'model': m, 'train': t}


def _act(name):
    return {'identity': nn.Identity, 'relu': nn.ReLU, 'leaky_relu': lambda: nn.LeakyReLU(0.01),
            'sigmoid': nn.Sigmoid, 'tanh': nn.Tanh}[name]()


def _act_fn(name, x):
    if name == 'identity':
        return x
    if name == 'relu':
        return torch.relu(x)
    if name == 'leaky_relu':
        return F.leaky_relu(x, 0.01)
    if name == 'sigmoid':
        return torch.sigmoid(x)
    return torch.tanh(x)


# --- layer specs and the module builder ------------------------------------------------------------------

_CONV = re.compile(r'^c(\d+)k(\d+)(?:s(\d+))?(?:p(\d+))?$')
_POOL = re.compile(r'^m(\d+)$')
_TCONV = re.compile(r'^t(\d+)k(\d+)(?:s(\d+))?(?:p(\d+))?(?:o(\d+))?$')
_UP = re.compile(r'^u(\d+)$')


def _parse_specs(items, side):
    """Splits an encoder/decoder list into (widths, specs): the encoder is [conv/pool specs..., widths...],
    the decoder [widths..., tconv/upsample specs...]. Specs are tuples ('conv', C, k, s, p),
    ('pool', p), ('tconv', C, k, s, p, op or None), ('up', p)."""
    widths, specs = [], []
    for i, item in enumerate(items):
        where = f'model.{side}[{i}]'
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise ValueError(f'{where}: expected a width or a layer spec string, got {item!r}')
        if isinstance(item, int):
            if not 1 <= item <= 65536:
                raise ValueError(f'{where}: widths must be 1..65536, got {item}')
            if side == 'decoder' and specs:
                raise ValueError(f'{where}: decoder widths come before the convolution specs, got {item} after '
                                 f'{items[i - 1]!r}')
            widths.append(item)
            continue
        if side == 'encoder':
            if widths:
                raise ValueError(f'{where}: encoder convolution specs come before the widths, got {item!r} after '
                                 f'{widths[-1]}')
            m = _CONV.match(item)
            if m:
                specs.append(('conv',) + _conv_fields(m, where, item))
                continue
            m = _POOL.match(item)
            if m and int(m.group(1)) >= 1:
                specs.append(('pool', int(m.group(1))))
                continue
            raise ValueError(f'{where}: {item!r} is not an encoder layer spec (expected a width, '
                             f'"c<out>k<kernel>[s<stride>][p<padding>]" or "m<pool>")')
        m = _TCONV.match(item)
        if m:
            op = int(m.group(5)) if m.group(5) is not None else 0
            specs.append(('tconv',) + _conv_fields(m, where, item) + (op,))
            continue
        m = _UP.match(item)
        if m and int(m.group(1)) >= 1:
            specs.append(('up', int(m.group(1))))
            continue
        m = _CONV.match(item)
        if m:  # a Conv2d in the decoder (Keras-style decoders: convolutions between upsamplings)
            specs.append(('dconv',) + _conv_fields(m, where, item))
            continue
        raise ValueError(f'{where}: {item!r} is not a decoder layer spec (expected a width, '
                         f'"t<out>k<kernel>[s<stride>][p<padding>][o<output_padding>]", "c<out>k<kernel>[s<stride>]'
                         f'[p<padding>]" or "u<scale>")')
    return widths, specs


def _conv_fields(m, where, item):
    """(channels, kernel, stride, padding) of a matched c/t spec: stride 1 and padding (k - s) // 2 by default."""
    c, k = int(m.group(1)), int(m.group(2))
    s = int(m.group(3)) if m.group(3) else 1
    p = int(m.group(4)) if m.group(4) is not None else (k - s) // 2
    if c < 1 or k < 1 or s < 1 or p < 0:
        raise ValueError(f'{where}: {item!r}: channels, kernel and stride must be >= 1')
    return c, k, s, max(p, 0)


def _input_shape(m):
    return m['input_channels'], m['input_rows'], m['input_cols']


def _has_specs(items):
    return any(isinstance(v, str) for v in items)


def _encoder_maps(m):
    """The encoder's conv/pool specs with their input and output maps [(spec, (C,H,W) in, (C,H,W) out)]."""
    _, specs = _parse_specs(m['encoder'], 'encoder')
    shape, out = _input_shape(m), []
    for i, spec in enumerate(specs):
        c, h, w = shape
        where = f'model.encoder[{i}] ({m["encoder"][i]!r})'
        if spec[0] == 'conv':
            _, co, k, s, p = spec
            ho, wo = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
            if h + 2 * p < k or w + 2 * p < k or ho < 1 or wo < 1:
                raise ValueError(f'{where}: Conv2d({c}, {co}, kernel {k}, stride {s}, padding {p}) does not fit '
                                 f'its input {c}x{h}x{w}')
            nxt = (co, ho, wo)
        else:
            p = spec[1]
            if h // p < 1 or w // p < 1:
                raise ValueError(f'{where}: MaxPool2d({p}) does not fit its input {c}x{h}x{w}')
            nxt = (c, h // p, w // p)
        out.append((spec, shape, nxt))
        shape = nxt
    return out, shape


def _condition_dim(m):
    """Entries of the one-hot condition y the stacks read: num_classes for the cvae, else 0."""
    return int(m['num_classes']) if m['type'] == 'cvae' else 0


def build_encoder(m):
    """The encoder Sequential of a resolved "model" config (and the width its output has).

    Dense: Linear(D, e0), act, ..., then (non-VAE) the code Linear(e_last, latent) [+ latent act if not
    identity]; the VAE encoder ends after the last hidden act (empty for encoder []).
    Convolutional (a string spec in the encoder): Unflatten(1, (C, H, W)); per "c" spec Conv2d(C_prev, C, k, s, p) + act;
    per "m" spec MaxPool2d(p) (no activation); Flatten(); per integer width Linear + act; then (non-VAE) the
    code Linear(.., latent) [+ latent act]. Hidden activations are always modules (nn.Identity too)."""
    widths, specs = _parse_specs(m['encoder'], 'encoder')
    layers = []
    width = m['input_channels'] * m['input_rows'] * m['input_cols'] + _condition_dim(m)  # cvae: [x, y]
    if specs:
        maps, (c, h, w) = _encoder_maps(m)
        layers.append(nn.Unflatten(1, _input_shape(m)))
        for spec, (ci, _, _), _ in maps:
            if spec[0] == 'conv':
                _, co, k, s, p = spec
                layers += [nn.Conv2d(ci, co, k, s, p), _act(m['activation'])]
            else:
                layers.append(nn.MaxPool2d(spec[1]))
        layers.append(nn.Flatten())
        width = c * h * w
    for wd in widths:
        layers += [nn.Linear(width, wd), _act(m['activation'])]
        width = wd
    if m['type'] not in VAE_TYPES:
        layers.append(nn.Linear(width, m['latent']))
        if m['latent_activation'] != 'identity':
            layers.append(_act(m['latent_activation']))
        width = m['latent']
    return nn.Sequential(*layers), width


def build_decoder(m):
    """The decoder Sequential (latent -> logits [n, C*H*W]) of a resolved "model" config.

    Dense (an explicit decoder of integers only, or the mirror of a dense encoder): Linear(latent, d0), act,
    ..., Linear(d_last, D); widths d = decoder, or the encoder's widths reversed when decoder is [].
    Convolutional (string specs in the decoder, or the mirror of a convolutional encoder): Linear(s) from latent through the decoder widths (the explicit leading integers, or for
    the mirror decoder [] the encoder's integer widths reversed) to C_last*H_last*W_last (the encoder's final
    map; the input's C x H x W for a dense encoder), each + act, Unflatten(1, (C_last, H_last, W_last)), then the specs: the explicit decoder's in order,
    or for the mirror the encoder's conv/pool specs in reverse (pool p -> Upsample(scale_factor=p,
    mode='nearest'); conv (C_prev -> C, k, s, p) -> ConvTranspose2d(C, C_prev, k, s, p, output_padding=op)
    with op = target - ((in - 1) * s - 2p + k) restoring the encoder-side size). Every weighted layer is
    followed by the hidden activation except the last weighted layer of the decoder (it produces the logits);
    Upsample has none. Finally Flatten(). The decoder must end at the input's C x H x W (else ValueError)."""
    D = m['input_channels'] * m['input_rows'] * m['input_cols']
    enc_widths, _ = _parse_specs(m['encoder'], 'encoder')
    dec_widths, dec_specs = _parse_specs(m['decoder'], 'decoder')
    act = m['activation']
    mirror = not m['decoder']
    if not dec_specs and not (mirror and _has_specs(m['encoder'])):
        dims = [m['latent'] + _condition_dim(m)] + (list(reversed(enc_widths)) if mirror else dec_widths) + [D]
        layers = []
        for i in range(len(dims) - 1):
            layers.append(nn.Linear(dims[i], dims[i + 1]))
            if i < len(dims) - 2:
                layers.append(_act(act))
        return nn.Sequential(*layers)
    maps, final = _encoder_maps(m)
    widths = list(reversed(enc_widths)) if mirror else dec_widths
    # Planned layers: ('linear', in, out), ('unflatten', shape), ('tconv', ci, co, k, s, p, op), ('up', p).
    plan = []
    dims = [m['latent']] + widths + [final[0] * final[1] * final[2]]
    for i in range(len(dims) - 1):
        plan.append(('linear', dims[i], dims[i + 1]))
    plan.append(('unflatten', final))
    shape = final
    if mirror:
        for j, (spec, sin, sout) in reversed(list(enumerate(maps))):
            where = f'mirror of model.encoder[{j}] ({m["encoder"][j]!r})'
            c, h, w = shape
            if spec[0] == 'pool':
                p = spec[1]
                if (h * p, w * p) != sin[1:]:
                    raise ValueError(f'{where}: Upsample({p}) of {c}x{h}x{w} gives {c}x{h * p}x{w * p}, but the '
                                     f'encoder side is {sin[0]}x{sin[1]}x{sin[2]} (use a pool that divides the map)')
                plan.append(('up', p))
            else:
                _, co, k, s, p = spec
                base_h, base_w = (h - 1) * s - 2 * p + k, (w - 1) * s - 2 * p + k
                oph, opw = sin[1] - base_h, sin[2] - base_w
                if not (0 <= oph < s and 0 <= opw < s):
                    raise ValueError(f'{where}: ConvTranspose2d({c}, {sin[0]}, kernel {k}, stride {s}, padding {p}) '
                                     f'cannot map {c}x{h}x{w} back to {sin[0]}x{sin[1]}x{sin[2]} (output_padding '
                                     f'{oph}x{opw} must lie in [0, stride))')
                plan.append(('tconv', c, sin[0], k, s, p, oph if oph == opw else (oph, opw)))
            shape = sin
    else:
        for j, spec in enumerate(dec_specs):
            idx = len(dec_widths) + j
            where = f'model.decoder[{idx}] ({m["decoder"][idx]!r})'
            c, h, w = shape
            if spec[0] == 'up':
                p = spec[1]
                plan.append(('up', p))
                shape = (c, h * p, w * p)
            elif spec[0] == 'dconv':
                _, co, k, s, p = spec
                if k > h + 2 * p or k > w + 2 * p:
                    raise ValueError(f'{where}: kernel {k} is larger than the padded map {h + 2 * p}x{w + 2 * p}')
                ho, wo = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
                plan.append(('conv', c, co, k, s, p))
                shape = (co, ho, wo)
            else:
                _, co, k, s, p, op = spec
                if not 0 <= op < s:
                    raise ValueError(f'{where}: output_padding {op} must be smaller than the stride {s}')
                ho, wo = (h - 1) * s - 2 * p + k + op, (w - 1) * s - 2 * p + k + op
                if ho < 1 or wo < 1:
                    raise ValueError(f'{where}: ConvTranspose2d({c}, {co}, kernel {k}, stride {s}, padding {p}) '
                                     f'gives {co}x{ho}x{wo} from {c}x{h}x{w}')
                plan.append(('tconv', c, co, k, s, p, op))
                shape = (co, ho, wo)
        if shape != _input_shape(m):
            C, H, W = _input_shape(m)
            raise ValueError(f'model.decoder: the decoder ends at {shape[0]}x{shape[1]}x{shape[2]}, the input is '
                             f'{C}x{H}x{W} (last layer {m["decoder"][-1]!r})')
    last_weighted = max(i for i, p in enumerate(plan) if p[0] in ('linear', 'tconv', 'conv'))
    layers = []
    for i, p in enumerate(plan):
        if p[0] == 'linear':
            layers.append(nn.Linear(p[1], p[2]))
        elif p[0] == 'unflatten':
            layers.append(nn.Unflatten(1, tuple(p[1])))
        elif p[0] == 'up':
            layers.append(nn.Upsample(scale_factor=p[1], mode='nearest'))
        elif p[0] == 'conv':
            _, ci, co, k, s, pad = p
            layers.append(nn.Conv2d(ci, co, k, s, pad))
        else:
            _, ci, co, k, s, pad, op = p
            layers.append(nn.ConvTranspose2d(ci, co, k, s, pad, output_padding=op))
        if p[0] in ('linear', 'tconv', 'conv') and i != last_weighted:
            layers.append(_act(act))
    layers.append(nn.Flatten())
    return nn.Sequential(*layers)


# --- the module ------------------------------------------------------------------------------------------

class Autoencoder(nn.Module):
    """Any model type of the project as one nn.Module (see the module docstring for the layout).

    Attributes: ``config`` (the config dict as given or as stored in the file), ``model_config`` (every
    "model" field, defaults applied), ``train_config`` (every "train" field), ``epoch`` and ``step`` (the
    training state; ``save`` writes them), ``metadata`` (the other ``__metadata__`` entries of the file it
    was loaded from, e.g. "data", "exclude_class"; ``save`` keeps them)."""

    def __init__(self, config, epoch=0, step=0, metadata=None):
        super().__init__()
        self.config_json = None  # the config's JSON text as stored in the file it was loaded from
        if isinstance(config, (str, bytes)):
            self.config_json = config.decode() if isinstance(config, bytes) else config
            config = json.loads(config)
        full = resolve_config(config)
        self.config = config
        self.model_config = m = full['model']
        self.train_config = full['train']
        self.epoch, self.step = int(epoch), int(step)
        self.metadata = dict(metadata or {})
        self.is_vae = m['type'] in VAE_TYPES
        self.is_conditional = m['type'] == 'cvae'
        self.num_classes = _condition_dim(m)
        self.input_dim = m['input_channels'] * m['input_rows'] * m['input_cols']
        self.encoder, width = build_encoder(m)
        if self.is_vae:
            self.mu = nn.Linear(width, m['latent'])
            self.logvar = nn.Linear(width, m['latent'])
        self.is_vq = m['type'] == 'vqvae'
        if self.is_vq:  # between encoder.* and decoder.* as in the C++ (state_dict puts own tensors first)
            k = m['codebook_size']
            self.codebook = nn.Parameter(torch.empty(k, m['codebook_dim']).uniform_(-1.0 / k, 1.0 / k))
            self.register_buffer('code_counts', torch.ones(m['latent'] // m['codebook_dim'], k))
        self.decoder = build_decoder(m)
        self.kl_weight = float(m['beta'])  # beta; train_ddp.py applies the kl_warmup_epochs schedule

    # -- inference ----------------------------------------------------------------------------------------
    def _check(self, x, width, what):
        x = torch.as_tensor(x, dtype=torch.float32)
        if x.dim() != 2 or x.shape[1] != width:
            raise ValueError(f'{what}: expected a batch [n, {width}], got {list(x.shape)}')
        return x

    def condition(self, y, n):
        """cvae: the one-hot condition [n, num_classes] of y (class indices [n], or already one-hot [n, C]);
        None for the other types. ValueError when a cvae gets no y or a class outside [0, num_classes)."""
        if not self.is_conditional:
            return None
        if y is None:
            raise ValueError('cvae: the class labels y are needed (a LongTensor [n] of classes, or one-hot [n, C])')
        y = torch.as_tensor(y)
        if y.dim() == 2:
            if list(y.shape) != [n, self.num_classes]:
                raise ValueError(f'y: expected one-hot [{n}, {self.num_classes}], got {list(y.shape)}')
            return y.to(torch.float32)
        if list(y.shape) != [n]:
            raise ValueError(f'y: expected {n} class indices, got shape {list(y.shape)}')
        y = y.to(torch.long)
        if n and (int(y.min()) < 0 or int(y.max()) >= self.num_classes):
            raise ValueError(f'y: classes must lie in 0..{self.num_classes - 1}')
        return F.one_hot(y, self.num_classes).to(torch.float32)

    def encode_gaussian(self, x, y=None):
        """(mu, logvar) of the VAE's posterior; other types: (code, None). cvae: q(z | x, y), y the classes."""
        x = self._check(x, self.input_dim, 'encode')
        c = self.condition(y, x.shape[0])
        h = self.encoder(x if c is None else torch.cat([x, c], 1))
        if self.is_vq:
            return self.quantize(h)[0], None
        if not self.is_vae:
            return h, None
        return self.mu(h), self.logvar(h)

    def quantize(self, z_e):
        """vqvae: (z_q [n, latent], indices [n, M]) of z_e [n, latent]: each group of codebook_dim entries
        replaced by its nearest codebook row (torch.argmin: ties to the lowest index, as the C++)."""
        n, d = z_e.shape[0], self.model_config['codebook_dim']
        g = z_e.reshape(n, -1, d)  # [n, M, d]
        dist = (g[:, :, None, :] - self.codebook[None, None, :, :]).pow(2).sum(-1)  # [n, M, K]
        idx = dist.argmin(-1)
        return self.codebook[idx].reshape(n, -1), idx

    def sample_codes(self, n, generator=None):
        """vqvae: z_q [n, latent] whose group indices are drawn independently from code_counts (the simple
        prior of `ae sample`, not PixelCNN; not the C++ random stream)."""
        p = self.code_counts.clamp(min=0)
        p = torch.where(p.sum(1, keepdim=True) > 0, p, torch.ones_like(p))
        idx = torch.multinomial(p, n, replacement=True, generator=generator).t()  # [n, M]
        return self.codebook[idx].reshape(n, -1)

    def encode(self, x, y=None):
        """The code of x [n, D] in [0, 1]: [n, latent] (the latent activation applied; VAE: the mean mu)."""
        return self.encode_gaussian(x, y)[0]

    def decode_logits(self, z, y=None):
        """The decoder's last pre-activation [n, D] (before the output activation). cvae: of [z, y]."""
        z = self._check(z, self.model_config['latent'], 'decode')
        c = self.condition(y, z.shape[0])
        return self.decoder(z if c is None else torch.cat([z, c], 1))

    def decode(self, z, y=None):
        """The reconstruction [n, D] of codes z [n, latent]: the output activation (sigmoid or identity) of
        the decoder's logits, as the C++ Autoencoder::decode."""
        return _act_fn(self.model_config['output'], self.decode_logits(z, y))

    def reconstruct(self, x, y=None):
        """decode(encode(x)) (VAE: through mu, no sampling): what `ae reconstruct` writes."""
        return self.decode(self.encode(x, y), y)

    # -- training -----------------------------------------------------------------------------------------
    def forward(self, x, sample=None, y=None):
        """Training forward: (logits, code, logvar). VAE: code is mu, and the decoder reads
        z = mu + exp(logvar / 2) * eps with eps ~ N(0, I) when `sample` (default: self.training), else z = mu.
        Other types: logvar is None and the decoder reads the code; hashing with `sample`: the code is
        sigmoid(a + code_noise * eps), eps ~ N(0, I), a the code Linear's output. The output activation is NOT
        applied. cvae: y the classes (see condition)."""
        if sample is None:
            sample = self.training
        if self.model_config['type'] == 'hashing' and sample:
            # Semantic hashing: N(0, code_noise^2) on the code Linear's output before the Sigmoid (config.h).
            x = self._check(x, self.input_dim, 'forward')
            a = self.encoder[:-1](x)
            code = torch.sigmoid(a + float(self.model_config['code_noise']) * torch.randn_like(a))
            return self.decoder(code), code, None
        if self.is_vq:  # (logits, z_e, None); the decoder reads z_e + sg(z_q - z_e)
            z_e = self.encoder(self._check(x, self.input_dim, 'forward'))
            z_q = self.quantize(z_e)[0]
            return self.decoder(z_e + (z_q - z_e).detach()), z_e, None
        mu, logvar = self.encode_gaussian(x, y)
        if not self.is_vae:
            return self.decoder(mu), mu, None
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu) if sample else mu
        return self.decode_logits(z, y), mu, logvar

    def corrupt(self, x, generator=None):
        """The config's input corruption of x (a new tensor): gaussian x + level * eps (not clipped);
        salt_pepper: pixels set to 0 or 1 with equal odds at rate level; masking: pixels set to 0 at rate
        level; block: one random level x level square per image set to 0; none: x itself."""
        m = self.model_config
        kind, level = m['corruption'], float(m['corruption_level'])
        if kind == 'none':
            return x
        g = dict(generator=generator) if generator is not None else {}
        if kind == 'gaussian':
            return x + level * torch.randn(x.shape, dtype=x.dtype, device=x.device, **g)
        if kind == 'salt_pepper':
            hit = torch.rand(x.shape, device=x.device, **g) < level
            salt = (torch.rand(x.shape, device=x.device, **g) < 0.5).to(x.dtype)
            return torch.where(hit, salt, x)
        if kind == 'masking':
            return x.masked_fill(torch.rand(x.shape, device=x.device, **g) < level, 0.0)
        side, rows, cols = int(level), m['input_rows'], m['input_cols']
        n = x.shape[0]
        r0 = torch.randint(0, rows - side + 1, (n,), device=x.device, **g)
        c0 = torch.randint(0, cols - side + 1, (n,), device=x.device, **g)
        r = torch.arange(rows, device=x.device)
        c = torch.arange(cols, device=x.device)
        in_r = (r[None, :] >= r0[:, None]) & (r[None, :] < r0[:, None] + side)
        in_c = (c[None, :] >= c0[:, None]) & (c[None, :] < c0[:, None] + side)
        block = (in_r[:, :, None] & in_c[:, None, :]).reshape(n, 1, rows * cols)
        block = block.expand(n, m['input_channels'], rows * cols).reshape(n, -1)
        return x.masked_fill(block, 0.0)

    def loss_terms(self, x, outputs=None, target=None, kl_weight=None, corrupt=None, y=None):
        """The training objective's terms as a dict of scalar tensors: reconstruction, kl, sparsity,
        contractive, total (LossTerms in core/include/ae/autoencoder.h), in the model's unit: per pixel
        (mean over images and pixels) for every type but the VAE, nats per image (mean over the batch of
        per-image sums) for the VAE (vqvae: also codebook and commitment, added to total).
        total = reconstruction + kl_weight * kl + sparsity + contractive,
        kl_weight defaulting to self.kl_weight (beta).

        x is the encoder's input; target (default x) what the reconstruction is compared with. With
        `corrupt` (default: self.training and no `outputs` and no `target` given) x is first corrupted with
        the config's corruption and the clean x becomes the target (denoising). `outputs` is the result of
        forward(x) when the caller ran it already (e.g. through DistributedDataParallel). cvae: y the classes
        (the conditional ELBO)."""
        m = self.model_config
        x = self._check(x, self.input_dim, 'loss')
        if corrupt is None:
            corrupt = self.training and outputs is None and target is None
        if target is None:
            target = x
        if corrupt:
            x = self.corrupt(x)
        if outputs is None:
            outputs = self(x, y=y)
        logits, code, logvar = outputs
        n = x.shape[0]
        if m['loss'] == 'bce':
            recon_sum = F.binary_cross_entropy_with_logits(logits, target, reduction='sum')
        else:
            recon_sum = (_act_fn(m['output'], logits) - target).pow(2).sum()
        zero = logits.new_zeros(())
        terms = {'reconstruction': zero, 'kl': zero, 'sparsity': zero, 'contractive': zero}
        if self.is_vq:  # code = z_e
            z_q = self.quantize(code)[0]
            if m['codebook_update'] == 'loss':
                terms['codebook'] = (code.detach() - z_q).pow(2).mean()
            terms['commitment'] = float(m['vq_beta']) * (code - z_q.detach()).pow(2).mean()
        if self.is_vae:
            terms['reconstruction'] = recon_sum / n
            terms['kl'] = 0.5 * (code.pow(2) + logvar.exp() - 1.0 - logvar).sum() / n
            w = self.kl_weight if kl_weight is None else kl_weight
            terms['total'] = terms['reconstruction'] + w * terms['kl']
            return terms
        terms['reconstruction'] = recon_sum / (n * self.input_dim)
        if m['sparsity'] == 'l1':
            terms['sparsity'] = m['sparsity_weight'] * code.abs().sum() / n
        elif m['sparsity'] == 'kl':
            rho = float(m['sparsity_target'])
            rho_hat = code.mean(0).clamp(1e-6, 1 - 1e-6)
            kl = rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))
            terms['sparsity'] = m['sparsity_weight'] * kl.sum()
        if m['type'] == 'contractive':
            terms['contractive'] = m['contractive_weight'] * self.contractive_penalty(x) / n
        terms['total'] = terms['reconstruction'] + terms['sparsity'] + terms['contractive']
        for k in ('codebook', 'commitment'):
            if k in terms:
                terms['total'] = terms['total'] + terms[k]
        return terms

    def loss(self, x, **kw):
        """The training objective (loss_terms(...)['total']): a scalar tensor to call backward() on. The C++
        trainer's gradient is that of this value for the per-pixel types, and of the batch SUM
        (n * this value) for the VAE (the PyTorch VAE example's convention; train_ddp.py does the same)."""
        return self.loss_terms(x, **kw)['total']

    def contractive_penalty(self, x):
        """sum_i ||J_f(x_i)||_F^2 of the encoder f (the code): exact, sum_j f'(a_j)^2 ||W_j||^2, for a
        one-layer dense encoder; otherwise one-probe Hutchinson estimates ||J_f(x_i) v_i||^2, v_i ~ N(0, I)
        (unbiased, E = ||J||_F^2), differentiable with respect to the parameters, as the C++ does."""
        layers = list(self.encoder)
        if len(layers) <= 2 and isinstance(layers[0], nn.Linear):
            lin = layers[0]
            y = _act_fn(self.model_config['latent_activation'], lin(x))
            d1 = _act_derivative(self.model_config['latent_activation'], y)
            return (d1.pow(2) * lin.weight.pow(2).sum(1)[None, :]).sum()
        v = torch.randn_like(x)
        with torch.enable_grad():
            _, jv = torch.autograd.functional.jvp(self.encoder, x, v, create_graph=True)
        return jv.pow(2).sum()


def _act_derivative(name, y):
    """f'(a) from y = f(a) (as core/include/ae/penalty.h)."""
    if name == 'identity':
        return torch.ones_like(y)
    if name == 'relu':
        return (y > 0).to(y.dtype)
    if name == 'leaky_relu':
        return torch.where(y > 0, torch.ones_like(y), torch.full_like(y, 0.01))
    if name == 'sigmoid':
        return y * (1 - y)
    return 1 - y * y


def build(config, epoch=0, step=0, metadata=None):
    """A freshly initialised Autoencoder for a config dict or JSON string. The weights get PyTorch's default
    initialisation (the config's "init": "torch"); "he" / "glorot" / "auto" are not reproduced here."""
    return Autoencoder(config, epoch=epoch, step=step, metadata=metadata)


def _count(meta, key, path):
    s = meta.get(key, '0')
    if not (isinstance(s, str) and s.isdigit()):
        raise ValueError(f'{path}: __metadata__.{key} = {s!r}, expected a non-negative integer')
    return int(s)


OPTIMIZER_PREFIX = 'optimizer.'
OPTIMIZER_METADATA = ('optimizer', 'optimizer_step')


def load(path, map_location=None):
    """Loads a model file written by `ae train`, the page, the app or save(): builds the module its
    __metadata__.config describes and loads the tensors with load_state_dict(strict=True) (every name and
    shape must match, nothing left over). Returns the module in eval mode with config, epoch, step and
    metadata set."""
    tensors, meta = read_safetensors(path)
    if 'config' not in meta:
        raise ValueError(f'{path}: __metadata__ has no "config" entry: not a model file of autoencoder-lab')
    # core/include/ae/model_file.h: tensors named "optimizer.*" are the optimizer's moments
    # (optimizer.m.<param>, optimizer.v.<param>), not part of the state_dict; kept in model.optimizer_tensors.
    optimizer_tensors = {k: v for k, v in tensors.items() if k.startswith(OPTIMIZER_PREFIX)}
    tensors = {k: v for k, v in tensors.items() if not k.startswith(OPTIMIZER_PREFIX)}
    extra = {k: v for k, v in meta.items() if k not in ('config', 'format', 'epoch', 'step') + OPTIMIZER_METADATA}
    model = Autoencoder(meta['config'], epoch=_count(meta, 'epoch', path), step=_count(meta, 'step', path), metadata=extra)
    model.optimizer_tensors = optimizer_tensors
    model.optimizer_metadata = {k: meta[k] for k in OPTIMIZER_METADATA if k in meta}
    try:
        model.load_state_dict(tensors, strict=True)
    except RuntimeError as e:
        raise ValueError(f'{path}: the tensors do not match the module its config describes: {e}') from None
    if map_location is not None:
        model.to(map_location)
    return model.eval()


def save(model, config=None, path=None, epoch=None, step=None, metadata=None):
    """Writes `model` (an Autoencoder, also wrapped in DistributedDataParallel/DataParallel) as a model file
    `ae eval`, the page and the app load: its state_dict in module order (the C++ tensor order) as F32,
    __metadata__ "format" = "autoencoder-lab/1", "config" = the config JSON string (`config`: dict or JSON
    string, default model.config), "epoch"/"step" (default model.epoch/model.step) and the model's other
    metadata (e.g. "data") updated with `metadata`. The optimizer state of the file it was loaded from
    ("optimizer.*" tensors, Adam's moments) is not written: after training in PyTorch it is not this
    module's any more, and a run continued from the file starts its optimizer afresh. Atomic: a temporary
    file, then os.replace."""
    if path is None:
        raise TypeError('save(model, config, path): path is required')
    inner = getattr(model, 'module', model)
    if config is None:
        config = inner.config
    if isinstance(config, str):
        text = config
    elif inner.config_json is not None and json.loads(inner.config_json) == config:
        text = inner.config_json  # unchanged: keep the file's text byte for byte
    else:
        text = json.dumps(config, separators=(',', ':'))
    if resolve_config(text)['model'] != inner.model_config:
        raise ValueError('save: the config describes another model than the module')
    meta = dict(getattr(inner, 'metadata', {}) or {})
    meta.update(metadata or {})
    meta.update({'format': FORMAT, 'config': text,
                 'epoch': str(int(inner.epoch if epoch is None else epoch)),
                 'step': str(int(inner.step if step is None else step))})
    write_safetensors(path, inner.state_dict(), meta)


# --- data ------------------------------------------------------------------------------------------------

FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist'


def load_labels(split='train', limit=None, data_dir=FASHION_MNIST_DIR, path=None):
    """Class labels of an IDX label file (gzip or plain) as int64 [n]: Fashion-MNIST's "train" or "t10k"
    split by default, `path` another file; `limit` keeps the first labels (the cvae's condition y)."""
    import gzip
    if path is None:
        path = os.path.join(data_dir, ('train' if split == 'train' else 't10k') + '-labels-idx1-ubyte.gz')
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        raw = f.read()
    magic, count = struct.unpack('>II', raw[:8])
    if magic != 0x801:
        raise ValueError(f'{path}: not an IDX label file (magic {magic:#x}, expected 0x801)')
    n = count if limit is None else min(count, int(limit))
    return torch.from_numpy(np.frombuffer(raw, dtype=np.uint8, count=n, offset=8).astype(np.int64))


def load_images(split='train', limit=None, data_dir=FASHION_MNIST_DIR, path=None):
    """Images of an IDX file (gzip or plain) as float32 [n, rows*cols] in [0, 1], scaled exactly as the C++
    does (pixel * (1/255) in float32). Default: Fashion-MNIST's "train" or "t10k" split from the Debian
    package; `path` names another IDX image file; `limit` keeps the first images."""
    import gzip
    if path is None:
        path = os.path.join(data_dir, ('train' if split == 'train' else 't10k') + '-images-idx3-ubyte.gz')
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        raw = f.read()
    magic, count = struct.unpack('>II', raw[:8])
    if magic >> 8 != 0x08 or (magic & 0xff) < 2:
        raise ValueError(f'{path}: not an IDX file of unsigned bytes (magic {magic:#x})')
    ndim = magic & 0xff
    dims = struct.unpack('>' + 'I' * (ndim - 1), raw[8:8 + 4 * (ndim - 1)])
    size = int(np.prod(dims))
    n = count if limit is None else min(count, int(limit))
    off = 4 + 4 * ndim
    pix = np.frombuffer(raw, dtype=np.uint8, count=n * size, offset=off).reshape(n, size)
    return torch.from_numpy(pix.astype(np.float32) * np.float32(1.0 / 255.0))
