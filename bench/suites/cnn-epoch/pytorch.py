"""PyTorch CPU: seconds for one training epoch of the seed CNN on the MNIST train split (batch 32,
Adam lr 1e-3 eps 1e-7), timing the first --samples samples (default all) and scaling to the epoch.

python3 bench/suites/cnn-epoch/pytorch.py [--samples 640]
(Not called torch.py: a script's folder comes first on sys.path, so it would shadow torch.)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'common'))
import torch  # noqa: E402
from peers import blas_info, load_mnist_train, parse_args, thread_count, time_torch_epoch  # noqa: E402
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


time_torch_epoch('cnn-epoch', model, optimizer, loss_fn, x, y, samples, n,
                 correct=lambda out, yb: int((out.argmax(1) == yb).sum()),
                 extra=lambda: {'threads': torch.get_num_threads(),
                               'runtime': {'torch': torch.__version__, 'blas': blas_info(),
                                            'torchBlas': blas_summary()}})
