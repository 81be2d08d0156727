"""Seconds per training iteration of the char-GPT under PyTorch DDP (gloo), the peer of gpt-iter.ts:
the same model (bench/suites/gpt/pytorch_gpt.py, parameter for parameter Keel's GPT), global batch
12 split over the ranks, AdamW with weight decay on matrices, global-norm clip 1.0, one thread per
process; one untimed warm-up pass of --iters iterations, then a timed one. Speed only: random tokens.
  /usr/bin/python3 bench/distributed/torch_ddp_gpt.py --nproc 2 [--iters 30]"""
import argparse, json, os, sys, time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn import functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'suites', 'gpt'))
from pytorch_gpt import BATCH, CONFIG, CONTEXT, GPT  # noqa: E402

VOCAB = 89


def worker(rank, args, port):
    torch.set_num_threads(1)
    os.environ['MASTER_ADDR'] = '127.0.0.1'
    os.environ['MASTER_PORT'] = str(port)
    if args.nproc > 1:
        dist.init_process_group('gloo', rank=rank, world_size=args.nproc)
    torch.manual_seed(1337)
    model = GPT(VOCAB, **CONFIG)
    opt = model.optimizer()
    if args.nproc > 1:
        model = torch.nn.parallel.DistributedDataParallel(model)
    g = torch.Generator().manual_seed(2)
    x = torch.randint(0, VOCAB, (args.iters * BATCH, CONTEXT), generator=g)
    y = torch.randint(0, VOCAB, (args.iters * BATCH, CONTEXT), generator=g)
    local = BATCH // args.nproc
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        for start in range(0, args.iters * BATCH, BATCH):
            a = start + rank * local
            logits, _ = model(x[a:a + local])
            loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), y[a:a + local].reshape(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        times.append(time.perf_counter() - t0)
    if rank == 0:
        print(json.dumps({'impl': 'pytorch-ddp-gloo', 'model': 'char-gpt', 'ranks': args.nproc,
                          'iters': args.iters, 'iterSeconds': times[1] / args.iters}), flush=True)
    if args.nproc > 1:
        dist.destroy_process_group()


if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--nproc', type=int, default=1)
    p.add_argument('--iters', type=int, default=30)
    args = p.parse_args()
    port = 29500 + os.getpid() % 1000
    if args.nproc == 1:
        worker(0, args, port)
    else:
        mp.spawn(worker, args=(args, port), nprocs=args.nproc)
