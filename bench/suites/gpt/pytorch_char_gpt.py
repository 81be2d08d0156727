"""The PyTorch reference of the whole examples/char-gpt.ts run, the number Keel's char-GPT is compared
with: the same model (pytorch_gpt.GPT, parameter for parameter Keel's GPT), the same text and split
(bench/.cache/moby-dick.txt from gpt/export-moby-dick.ts; first 90% train, last 10% validation), the
same hyperparameters (batch 12, context 64, AdamW lr 1e-3 betas 0.9/0.99 eps 1e-8, weight decay 0.1 on
matrices, clip 1.0; lr 0 -> 1e-3 linearly over 100 iterations, then cosine to 1e-4 at --iters, as Keel's
CosineDecay evaluated at the optimizer's iteration count) and the same windows: Keel's Rng re-implemented,
so training draws from Rng(seed) and each evaluation from Rng(seed + 1) (train) / Rng(seed + 2) (val),
20 batches, every 250 iterations and at the end. Only the initial weights differ (torch's generator).

python3 bench/suites/gpt/pytorch_char_gpt.py [--iters 2000] [--seed 1337]
"""
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'common'))
import torch  # noqa: E402
from torch.nn import functional as F  # noqa: E402
from peers import parse_args, thread_count  # noqa: E402
from pytorch_gpt import CONFIG, GPT, KeelRng, count_params, get_batch, load_moby_dick  # noqa: E402

args = parse_args()
iters = int(args.get('iters', 2000))
seed = int(args.get('seed', 1337))
eval_interval, eval_batches, warmup = 250, 20, 100
torch.set_num_threads(thread_count())
torch.manual_seed(seed)

data, vocab = load_moby_dick()
split = math.floor(0.9 * len(data))
train, val = data[:split], data[split:]
print(f'Moby-Dick: {len(data):,} characters, vocabulary {len(vocab)}; train {len(train):,}, val {len(val):,}')

model = GPT(len(vocab), **CONFIG)
optimizer = model.optimizer()
print(f'{count_params(model):,} parameters; torch {torch.__version__}, {torch.get_num_threads()} thread(s)')


def learning_rate(step):
    """Keel's CosineDecay({initialLearningRate: 0, warmupTarget: 1e-3, warmupSteps: 100,
    decaySteps: iters - 100, alpha: 0.1}).at(step), step = updates done so far."""
    decay_steps = max(1, iters - warmup)
    s = min(step, decay_steps + warmup)
    if s < warmup:
        return 1e-3 * s / warmup
    cosine = 0.5 * (1 + math.cos(math.pi * (s - warmup) / decay_steps))
    return 1e-3 * (0.9 * cosine + 0.1)


@torch.no_grad()
def estimate(split_data, salt):
    """Mean loss and next-character accuracy over the same 20 windows every time."""
    model.eval()
    rng = KeelRng(seed + salt)
    total, correct = 0.0, 0
    for _ in range(eval_batches):
        x, y = get_batch(split_data, rng)
        logits, _ = model(x)
        total += F.cross_entropy(logits.view(-1, logits.shape[-1]), y.reshape(-1)).item()
        correct += int((logits.argmax(-1) == y).sum())
    model.train()
    return total / eval_batches, correct / (eval_batches * x.numel())


rng = KeelRng(seed)
started = time.perf_counter()
last = started
model.train()
for it in range(1, iters + 1):
    lr = learning_rate(it - 1)
    for group in optimizer.param_groups:
        group['lr'] = lr
    x, y = get_batch(train, rng)
    logits, _ = model(x)
    loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), y.reshape(-1))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    train_loss = loss.item()
    if it % 50 == 0 or it in (1, 10):
        now = time.perf_counter()
        per = (now - last) / (1 if it == 1 else 9 if it == 10 else 40 if it == 50 else 50)
        last = now
        print(f'iter {it}: loss {train_loss:.4f}, lr {lr:.2e}, {per * 1000:.0f} ms/iter', flush=True)
    if it % eval_interval == 0 or it == iters:
        tr, _ = estimate(train, 1)
        va, _ = estimate(val, 2)
        print(f'step {it}: train loss {tr:.4f}, val loss {va:.4f} ({time.perf_counter() - started:.0f} s)', flush=True)

final_loss, final_accuracy = estimate(val, 2)
print(f'Wall time: {time.perf_counter() - started:.1f} s for {iters} iterations')
print(f'Test loss: {final_loss}')
print(f'Test accuracy: {final_accuracy}')
