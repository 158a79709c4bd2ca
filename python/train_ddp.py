#!/usr/bin/python3
"""Continue training an autoencoder-lab model file in PyTorch, on one or many processes.

    torchrun --nproc_per_node 2 python/train_ddp.py model.safetensors --epochs 1 --out continued.safetensors
    /usr/bin/python3 python/train_ddp.py model.safetensors --epochs 1 --out continued.safetensors   # one process

Loads the file with ae_torch.load (any model type `ae train` writes), wraps it in
DistributedDataParallel (gloo backend, CPU) when started by torchrun, shards the Fashion-MNIST training set
(or --train-images, an IDX file) with a DistributedSampler, and trains with the optimizer and settings of
the file's config (train.optimizer / lr / beta1 / beta2 / eps / weight_decay / momentum / batch; flags
override them) on the model type's objective (ae_torch's loss_terms: per-pixel mean for the plain types, the
batch sum of BCE + beta * KL for the VAE as `ae train` does, with the kl_warmup_epochs schedule). --batch is
the global batch: each of the N processes takes batch / N images per step, and DDP averages the gradients,
so one step equals one `ae train` step of the same batch. Rank 0 writes --out with ae_torch.save, epoch and
step continued from the file; `ae eval`, the page and the app load it. Optimizer moments are not stored in
model files, so the optimizer starts fresh (as when `ae-app --load` continues a file).
"""
import argparse
import os
import sys
import time

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ae_torch  # noqa: E402


def make_optimizer(params, t):
    if t['optimizer'] == 'sgd':
        return torch.optim.SGD(params, lr=t['lr'], momentum=t['momentum'], weight_decay=t['weight_decay'])
    cls = torch.optim.AdamW if t['optimizer'] == 'adamw' else torch.optim.Adam
    return cls(params, lr=t['lr'], betas=(t['beta1'], t['beta2']), eps=t['eps'], weight_decay=t['weight_decay'])


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('model', help='model file written by ae train, the page, the app or ae_torch.save')
    p.add_argument('--out', required=True, help='model file to write (rank 0, atomically)')
    p.add_argument('--epochs', type=int, default=1)
    p.add_argument('--batch', type=int, help='global batch (default: the config\'s train.batch)')
    p.add_argument('--lr', type=float, help='learning rate (default: the config\'s train.lr)')
    p.add_argument('--limit-train', type=int, help='use only the first N training images')
    p.add_argument('--data-dir', default=ae_torch.FASHION_MNIST_DIR, help='Fashion-MNIST folder')
    p.add_argument('--train-images', help='an IDX image file (.gz or plain) instead of Fashion-MNIST')
    p.add_argument('--seed', type=int, help='shuffling and noise seed (default: the config\'s train.seed)')
    p.add_argument('--threads', type=int, default=1, help='torch threads per process')
    a = p.parse_args()

    distributed = 'WORLD_SIZE' in os.environ
    if distributed:
        dist.init_process_group('gloo')
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1
    torch.set_num_threads(a.threads)

    model = ae_torch.load(a.model)
    t = dict(model.train_config)
    if a.lr is not None:
        t['lr'] = a.lr
    batch = a.batch or t['batch']
    seed = t['seed'] if a.seed is None else a.seed
    torch.manual_seed(seed * 1000 + rank)  # VAE noise and corruptions differ per rank
    if batch % world:
        raise SystemExit(f'--batch {batch} is not divisible by the {world} processes')
    local_batch = batch // world

    trained_on = model.metadata.get('data', 'fashion-mnist')
    if a.train_images is None and trained_on != 'fashion-mnist':
        raise SystemExit(f'{a.model} was trained on {trained_on!r}: pass its IDX images with --train-images')
    x = ae_torch.load_images('train', limit=a.limit_train, data_dir=a.data_dir, path=a.train_images)
    if x.shape[1] != model.input_dim:
        raise SystemExit(f'{a.model} takes {model.input_dim} pixels per image, the data has {x.shape[1]}')
    data = TensorDataset(x)
    sampler = DistributedSampler(data, num_replicas=world, rank=rank, shuffle=True, seed=seed)
    loader = DataLoader(data, batch_size=local_batch, sampler=sampler)
    model.train()
    net = DDP(model) if distributed else model
    opt = make_optimizer(net.parameters(), t)
    m = model.model_config
    batches_per_epoch = len(loader)
    step, epoch = model.step, model.epoch
    if rank == 0:
        print(f'{a.model}: {m["type"]}, epoch {epoch}, step {step}; {x.shape[0]} images, {world} process(es), '
              f'global batch {batch}', flush=True)
    for _ in range(a.epochs):
        sampler.set_epoch(epoch)
        t0, total, count = time.perf_counter(), torch.zeros(2, dtype=torch.float64), 0
        for (xb,) in loader:
            if model.is_vae and m['kl_warmup_epochs'] > 0:  # beta rises linearly per step, as the C++ session
                model.kl_weight = m['beta'] * min(1.0, step / (m['kl_warmup_epochs'] * batches_per_epoch))
            xin = model.corrupt(xb)              # denoising types; the identity otherwise
            outputs = net(xin)                   # through DDP, so that the gradients are all-reduced
            terms = model.loss_terms(xin, outputs=outputs, target=xb, corrupt=False)
            loss = terms['total'] * (xb.shape[0] * world if model.is_vae else 1.0)  # VAE: global batch sum
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            total += torch.tensor([terms['total'].item() * xb.shape[0], xb.shape[0]], dtype=torch.float64)
            count += 1
        if distributed:
            dist.all_reduce(total)
        epoch += 1
        if rank == 0:
            unit = 'nats per image' if model.is_vae else 'per pixel'
            print(f'epoch {epoch}: train loss {total[0].item() / total[1].item():.5f} ({unit}), step {step}, '
                  f'{time.perf_counter() - t0:.1f} s', flush=True)
    if distributed:  # DDP keeps the replicas equal; check it before writing rank 0's copy
        flat = torch.cat([q.detach().reshape(-1) for q in model.parameters()])
        ref = flat.clone()
        dist.broadcast(ref, 0)
        same = torch.tensor([float(torch.equal(flat, ref))])
        dist.all_reduce(same, op=dist.ReduceOp.MIN)
        if same.item() != 1.0:
            raise SystemExit('the processes ended with different parameters')
        if rank == 0:
            print(f'parameters identical on all {world} processes', flush=True)
    if rank == 0:
        ae_torch.save(model, model.config, a.out, epoch=epoch, step=step)
        print(f'wrote {a.out} (epoch {epoch}, step {step})', flush=True)
    if distributed:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
