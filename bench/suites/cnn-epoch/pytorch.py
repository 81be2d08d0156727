"""PyTorch CPU: seconds for one training epoch of the seed CNN on the MNIST train split (batch 32,
Adam lr 1e-3 eps 1e-7), timing the first --samples samples (default all) and scaling to the epoch.

python3 bench/suites/cnn-epoch/pytorch.py [--samples 640]
(Not called torch.py: a script's folder comes first on sys.path, so it would shadow torch.)
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'common'))
import torch  # noqa: E402
from peers import blas_info, load_mnist_train, parse_args, report, thread_count  # noqa: E402
from torch_cnn import blas_summary, seed_cnn  # noqa: E402

args = parse_args()
threads = thread_count()
torch.set_num_threads(threads)
torch.manual_seed(1)

images, labels = load_mnist_train()
n = labels.size
samples = min(n, int(args.get('samples', n)))
# NHWC with one channel is the same memory as NCHW.
x = torch.from_numpy(images).reshape(n, 1, 28, 28)
y = torch.from_numpy(labels).long()

model = seed_cnn()
model.train()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
loss_fn = torch.nn.CrossEntropyLoss()


def epoch(count):
    """One shuffled pass over the first `count` samples; returns the mean loss and accuracy."""
    order = torch.randperm(count)
    loss_sum, correct = 0.0, 0
    for start in range(0, count, 32):
        idx = order[start:start + 32]
        xb, yb = x[idx], y[idx]
        optimizer.zero_grad(set_to_none=True)
        out = model(xb)
        loss = loss_fn(out, yb)
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(idx)
        correct += int((out.argmax(1) == yb).sum())
    return loss_sum / count, correct / count


epoch(64)  # two untimed batches, as for every contender
t0 = time.perf_counter()
loss, accuracy = epoch(samples)
seconds = time.perf_counter() - t0
report({
    'suite': 'cnn-epoch',
    'contender': 'torch',
    'epochSeconds': seconds * n / samples,
    'timedSeconds': seconds,
    'timedSamples': samples,
    'epochSamples': n,
    'extrapolated': samples < n,
    'loss': loss,
    'accuracy': accuracy,
    'threads': torch.get_num_threads(),
    'runtime': {'torch': torch.__version__, 'blas': blas_info(), 'torchBlas': blas_summary()},
})
