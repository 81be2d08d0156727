"""PyTorch CPU inference of the seed CNN (the weights of export_onnx.py): batch-1 latency (median
and p99 over --latency-calls calls) and batch-256 throughput (samples/s from the median call).

python3 bench/suites/inference/pytorch.py [--latency-calls 1000] [--min-seconds 2]
(Not called torch.py: a script's folder comes first on sys.path, so it would shadow torch.)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'common'))
import torch  # noqa: E402
from peers import (CACHE_DIR, blas_info, load_mnist_train, median, parse_args, quantile,  # noqa: E402
                   report, thread_count, time_calls)
from torch_cnn import blas_summary, load_keel, seed_cnn  # noqa: E402

args = parse_args()
latency_calls = int(args.get('latency-calls', 1000))
min_seconds = float(args.get('min-seconds', 2))
torch.set_num_threads(thread_count())

model = seed_cnn(softmax=True).eval()
load_keel(model, os.path.join(CACHE_DIR, 'cnn-weights.bin'))
images, _ = load_mnist_train()
x = torch.from_numpy(images[:256].copy()).reshape(256, 1, 28, 28)
x1 = x[:1].clone()

with torch.inference_mode():
    latency = time_calls(lambda: model(x1), warmup=50, min_reps=latency_calls,
                         max_reps=latency_calls, min_seconds=0)
    batch = time_calls(lambda: model(x), warmup=2, min_reps=5, min_seconds=min_seconds)
    probe = model(x[:4]).reshape(-1).tolist()

report({
    'suite': 'inference',
    'contender': 'torch',
    'latencyMedianMs': median(latency) * 1e3,
    'latencyP99Ms': quantile(latency, 0.99) * 1e3,
    'throughput': 256 / median(batch),
    'latencyCalls': len(latency),
    'throughputCalls': len(batch),
    'probe': probe,
    'threads': torch.get_num_threads(),
    'runtime': {'torch': torch.__version__, 'blas': blas_info(), 'torchBlas': blas_summary()},
})
