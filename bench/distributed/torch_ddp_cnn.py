"""Seconds per training epoch of the seed CNN under PyTorch DDP (gloo), the peer of cnn-epoch.ts:
the same model (bench/suites/common/torch_cnn.py), global batch 32 split over the ranks, Adam,
one thread per process, one untimed warm-up epoch. Speed only: the rows are random, as many as
Keel's MNIST training set (--samples).
  /usr/bin/python3 bench/distributed/torch_ddp_cnn.py --nproc 2 --samples 6000 [--epochs 2]"""
import argparse, json, os, sys, time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'suites', 'common'))
from torch_cnn import seed_cnn  # noqa: E402


def worker(rank, args, port):
    torch.set_num_threads(1)
    os.environ['MASTER_ADDR'] = '127.0.0.1'
    os.environ['MASTER_PORT'] = str(port)
    if args.nproc > 1:
        dist.init_process_group('gloo', rank=rank, world_size=args.nproc)
    torch.manual_seed(1)
    model = seed_cnn()
    if args.nproc > 1:
        model = torch.nn.parallel.DistributedDataParallel(model)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(2)
    x = torch.rand(args.samples, 1, 28, 28, generator=g)
    y = torch.randint(0, 10, (args.samples,), generator=g)
    local = 32 // args.nproc
    times = []
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        for start in range(0, args.samples, 32):
            a = start + rank * local
            xb, yb = x[a:a + local], y[a:a + local]
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
        times.append(time.perf_counter() - t0)
    timed = sorted(times[1:] if len(times) > 1 else times)
    if rank == 0:
        print(json.dumps({'impl': 'pytorch-ddp-gloo', 'ranks': args.nproc, 'samples': args.samples,
                          'epochSeconds': timed[len(timed) // 2]}), flush=True)
    if args.nproc > 1:
        dist.destroy_process_group()


if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--nproc', type=int, default=1)
    p.add_argument('--samples', type=int, default=6000)
    p.add_argument('--epochs', type=int, default=2)
    args = p.parse_args()
    port = 29500 + os.getpid() % 1000
    if args.nproc == 1:
        worker(0, args, port)
    else:
        mp.spawn(worker, args=(args, port), nprocs=args.nproc)
