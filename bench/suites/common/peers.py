"""Helpers shared by the Python contenders: arguments, timing, statistics, data, BLAS report, output."""
import json
import os
import resource
import sys
import time

CACHE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '.cache')


def parse_args(argv=None):
    """`--samples 640 --sizes 256,512` -> {'samples': '640', 'sizes': '256,512'}."""
    argv = sys.argv[1:] if argv is None else argv
    args, i = {}, 0
    while i < len(argv):
        key = argv[i]
        if not key.startswith('--'):
            raise SystemExit(f"bench: unexpected argument '{key}'")
        if i + 1 < len(argv) and not argv[i + 1].startswith('--'):
            args[key[2:]] = argv[i + 1]
            i += 2
        else:
            args[key[2:]] = 'true'
            i += 1
    return args


def thread_count():
    """KEEL_NUM_THREADS, else every core (the orchestrator always sets it)."""
    n = os.environ.get('KEEL_NUM_THREADS', '')
    return int(n) if n.isdigit() and int(n) > 0 else os.cpu_count()


def quantile(xs, q):
    s = sorted(xs)
    if not s:
        return float('nan')
    pos = (len(s) - 1) * q
    lo = int(pos)
    hi = min(len(s) - 1, lo + 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def median(xs):
    return quantile(xs, 0.5)


def time_calls(fn, warmup=1, min_reps=3, max_reps=1000, min_seconds=1.0):
    """Calls fn `warmup` times untimed, then times it until min_reps calls and min_seconds passed."""
    for _ in range(warmup):
        fn()
    times, total = [], 0.0
    while len(times) < max_reps and (len(times) < min_reps or total < min_seconds):
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        times.append(dt)
        total += dt
    return times


def load_mnist_train():
    """The canonical MNIST train split exported by cnn-epoch/export-mnist.ts (NHWC, [0, 1])."""
    import numpy as np
    x = np.fromfile(os.path.join(CACHE_DIR, 'mnist-train-images.f32'), dtype=np.float32)
    labels = np.fromfile(os.path.join(CACHE_DIR, 'mnist-train-labels.u8'), dtype=np.uint8)
    if x.size != labels.size * 784:
        raise SystemExit('bench: the MNIST cache is inconsistent; delete bench/.cache')
    return x.reshape(labels.size, 28, 28, 1), labels


def load_spam_train():
    """The canonical SpamAssassin train split exported by lstm-epoch/export-spam.ts: int32 ids [n, 200], uint8 labels [n]."""
    import numpy as np
    ids = np.fromfile(os.path.join(CACHE_DIR, 'spam-train-ids.i32'), dtype=np.int32)
    labels = np.fromfile(os.path.join(CACHE_DIR, 'spam-train-labels.u8'), dtype=np.uint8)
    if ids.size != labels.size * 200:
        raise SystemExit('bench: the SpamAssassin cache is inconsistent; delete bench/.cache')
    return ids.reshape(labels.size, 200), labels


def blas_info():
    """Which BLAS libraries this process has loaded (threadpoolctl), e.g. 'openblas 0.3.21 (Zen, 2 threads)'."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return 'unknown (threadpoolctl missing)'
    libs = []
    for info in threadpool_info():
        if info.get('user_api') != 'blas':
            continue
        name = info.get('internal_api', '?')
        detail = ', '.join(str(v) for v in (info.get('architecture'), f"{info.get('num_threads')} thread(s)") if v)
        libs.append(f"{name} {info.get('version') or ''} ({detail}) {os.path.basename(info.get('filepath', ''))}".replace('  ', ' '))
    return '; '.join(libs) or 'none loaded'


def report(result):
    """Prints the contender's one JSON line on stdout, with its peak resident memory."""
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({**result, 'maxRssMB': round(max_rss_mb, 1)}), flush=True)


def time_torch_epoch(suite, model, optimizer, loss_fn, x, y, samples, n, correct, extra):
    """Times one training epoch in PyTorch: two untimed batches (as for every contender), then one
    shuffled pass of batch 32 over the first `samples` of the `n` rows of x and y, scaled to the
    epoch. `correct(out, yb)` counts the right predictions; `extra()` adds fields to the report
    (called after the timed pass, when BLAS is surely loaded)."""
    import torch  # here, not at the top: numpy's bench uses these helpers without torch

    def epoch(count):
        order = torch.randperm(count)
        loss_sum, right = 0.0, 0
        for start in range(0, count, 32):
            idx = order[start:start + 32]
            xb, yb = x[idx], y[idx]
            optimizer.zero_grad(set_to_none=True)
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(idx)
            right += correct(out, yb)
        return loss_sum / count, right / count

    model.train()
    epoch(64)
    t0 = time.perf_counter()
    loss, accuracy = epoch(samples)
    seconds = time.perf_counter() - t0
    report({
        'suite': suite,
        'contender': 'torch',
        'epochSeconds': seconds * n / samples,
        'timedSeconds': seconds,
        'timedSamples': samples,
        'epochSamples': n,
        'extrapolated': samples < n,
        'loss': loss,
        'accuracy': accuracy,
        **extra(),
    })
