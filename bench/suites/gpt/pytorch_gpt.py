"""PyTorch CPU: the char-GPT of examples/char-gpt.ts written nanoGPT-style, with the architecture of
Keel's GPT (src/models/gpt.ts) parameter for parameter: token + learned position embeddings, pre-norm
causal blocks (attention with q/k/v/output biases, a 4x GELU-tanh MLP with biases, LayerNorm eps 1e-5),
a final LayerNorm and the output tied to the token embeddings (no bias). N(0, 0.02) weights, zero
biases, dropout 0. Trained like the example: AdamW (betas 0.9/0.99, eps 1e-8, weight decay 0.1 on the
matrices only), global-norm clipping at 1.0, batch 12 of random 64-character windows.

Run as a script it is the `gpt` bench contender: (a) seconds per training iteration (median over
--iters iterations after --warmup untimed ones) and (b) generation tokens/s with a key/value cache
(greedy, --new-tokens tokens after a 1-token prompt, median of --gen-reps generations).
python3 bench/suites/gpt/pytorch_gpt.py [--iters 30 --warmup 5 --new-tokens 63 --gen-reps 5]
"""
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'common'))
import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402
from peers import CACHE_DIR, median  # noqa: E402

CONTEXT = 64
BATCH = 12
CONFIG = dict(layers=4, heads=4, hidden=128)


class Block(nn.Module):
    """Pre-norm: x + attn(ln1(x)), then x + mlp(ln2(x)) (keras_hub TransformerDecoder, normalizeFirst)."""

    def __init__(self, hidden, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(hidden, eps=1e-5)
        self.qkv = nn.Linear(hidden, 3 * hidden)  # Keras's query/key/value kernels [d, heads, d/heads] + biases
        self.proj = nn.Linear(hidden, hidden)     # the output kernel [heads, d/heads, d] + bias
        self.ln2 = nn.LayerNorm(hidden, eps=1e-5)
        self.fc = nn.Linear(hidden, 4 * hidden)
        self.out = nn.Linear(4 * hidden, hidden)

    def attention(self, x, cache):
        B, T, C = x.shape
        H = self.heads
        q, k, v = self.qkv(x).split(C, dim=2)
        q, k, v = (t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))
        if cache is not None:
            k = torch.cat([cache[0], k], dim=2)
            v = torch.cat([cache[1], v], dim=2)
        past = k.shape[2] - T
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(C // H))
        if T > 1:
            # Query i (absolute position past + i) sees keys 0..past + i.
            mask = torch.ones(T, past + T, dtype=torch.bool).tril(diagonal=past)
            att = att.masked_fill(~mask, float('-inf'))
        y = F.softmax(att, dim=-1) @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.proj(y), (k, v)

    def forward(self, x, cache=None):
        a, cache = self.attention(self.ln1(x), cache)
        x = x + a
        x = x + self.out(F.gelu(self.fc(self.ln2(x)), approximate='tanh'))
        return x, cache


class GPT(nn.Module):
    def __init__(self, vocab, context=CONTEXT, layers=4, heads=4, hidden=128):
        super().__init__()
        self.context = context
        self.wte = nn.Embedding(vocab, hidden)
        self.wpe = nn.Embedding(context, hidden)
        self.blocks = nn.ModuleList([Block(hidden, heads) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(hidden, eps=1e-5)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, idx, caches=None):
        """idx [B, T] after the steps held in `caches` -> logits [B, T, vocab] and the new caches."""
        T = idx.shape[1]
        start = caches[0][0].shape[2] if caches else 0
        pos = torch.arange(start, start + T)
        h = self.wte(idx) + self.wpe(pos)
        new = []
        for i, block in enumerate(self.blocks):
            h, c = block(h, caches[i] if caches else None)
            new.append(c)
        return self.ln_f(h) @ self.wte.weight.t(), new  # tied output projection

    def optimizer(self, lr=1e-3, weight_decay=0.1):
        """AdamW decaying the matrices only (embeddings and kernels), as the example's excludeFromWeightDecay."""
        decay = [p for p in self.parameters() if p.dim() >= 2]
        rest = [p for p in self.parameters() if p.dim() < 2]
        return torch.optim.AdamW(
            [{'params': decay, 'weight_decay': weight_decay}, {'params': rest, 'weight_decay': 0.0}],
            lr=lr, betas=(0.9, 0.99), eps=1e-8)

    @torch.inference_mode()
    def generate(self, prompt, new_tokens):
        """Greedy decoding with the key/value cache (prompt + new_tokens must fit the context)."""
        if prompt.shape[1] + new_tokens > self.context:
            raise ValueError('generate: prompt + new tokens exceed the context')
        logits, caches = self(prompt)
        out = [prompt]
        for i in range(new_tokens):
            nxt = logits[:, -1].argmax(-1, keepdim=True)
            out.append(nxt)
            if i + 1 < new_tokens:
                logits, caches = self(nxt, caches)
        return torch.cat(out, dim=1)


class KeelRng:
    """Keel's Rng (src/random/rng.ts: xoshiro128** seeded through splitmix32), so the PyTorch runs draw
    exactly the same training and evaluation windows as Keel's example for the same seed."""
    M = 0xFFFFFFFF

    def __init__(self, seed):
        x = seed & self.M
        s = []
        for _ in range(4):
            x = (x + 0x9E3779B9) & self.M
            z = x
            z = ((z ^ (z >> 16)) * 0x85EBCA6B) & self.M
            z = ((z ^ (z >> 13)) * 0xC2B2AE35) & self.M
            s.append((z ^ (z >> 16)) & self.M)
        self.s = s

    @staticmethod
    def _rotl(x, k):
        return ((x << k) | (x >> (32 - k))) & 0xFFFFFFFF

    def next_uint32(self):
        s0, s1, s2, s3 = self.s
        result = (self._rotl((s1 * 5) & self.M, 7) * 9) & self.M
        t = (s1 << 9) & self.M
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = self._rotl(s3, 11)
        self.s = [s0, s1, s2, s3]
        return result

    def int(self, n):
        return math.floor(self.next_uint32() / 4294967296 * n)


def load_moby_dick():
    """The text exported by gpt/export-moby-dick.ts, encoded with Keel's vocabulary: (ids int64 tensor, vocab)."""
    with open(os.path.join(CACHE_DIR, 'moby-dick.txt'), encoding='utf-8') as f:
        text = f.read()
    with open(os.path.join(CACHE_DIR, 'moby-dick-vocab.json'), encoding='utf-8') as f:
        vocab = json.load(f)
    if vocab != sorted(set(text)):
        raise SystemExit('bench: the Moby-Dick cache is inconsistent; delete bench/.cache')
    index = {c: i for i, c in enumerate(vocab)}
    return torch.tensor([index[c] for c in text], dtype=torch.long), vocab


def get_batch(data, rng, batch=BATCH, context=CONTEXT):
    """`batch` random windows drawn as Keel's example draws them: inputs and next characters [B, T]."""
    starts = [rng.int(len(data) - context - 1) for _ in range(batch)]
    x = torch.stack([data[s:s + context] for s in starts])
    y = torch.stack([data[s + 1:s + context + 1] for s in starts])
    return x, y


def train_step(model, optimizer, x, y):
    logits, _ = model(x)
    loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), y.reshape(-1))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    return loss.item()


def count_params(model):
    return sum(p.numel() for p in model.parameters())


def main():
    from peers import blas_info, parse_args, report, thread_count
    from torch_cnn import blas_summary
    args = parse_args()
    iters, warmup = int(args.get('iters', 30)), int(args.get('warmup', 5))
    new_tokens, gen_reps = int(args.get('new-tokens', 63)), int(args.get('gen-reps', 5))
    torch.set_num_threads(thread_count())
    torch.manual_seed(1337)
    data, vocab = load_moby_dick()
    train = data[:int(0.9 * len(data))]
    model = GPT(len(vocab), **CONFIG)
    optimizer = model.optimizer()
    rng = KeelRng(1337)
    model.train()
    times, losses = [], []
    for i in range(warmup + iters):
        x, y = get_batch(train, rng)
        t0 = time.perf_counter()
        losses.append(train_step(model, optimizer, x, y))
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    model.eval()
    prompt = torch.zeros(1, 1, dtype=torch.long)
    model.generate(prompt, new_tokens)  # warm-up
    gen = []
    for _ in range(gen_reps):
        t0 = time.perf_counter()
        model.generate(prompt, new_tokens)
        gen.append(time.perf_counter() - t0)
    report({
        'suite': 'gpt',
        'contender': 'torch',
        'iterSeconds': median(times),
        'tokensPerSecond': new_tokens / median(gen),
        'params': count_params(model),
        'timedIters': iters,
        'newTokens': new_tokens,
        'firstLoss': losses[0],
        'lastLoss': losses[-1],
        'threads': torch.get_num_threads(),
        'runtime': {'torch': torch.__version__, 'blas': blas_info(), 'torchBlas': blas_summary()},
    })


if __name__ == '__main__':
    main()
