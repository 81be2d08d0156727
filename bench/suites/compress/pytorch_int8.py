"""PyTorch static int8 inference of the seed CNN (the weights of export_onnx.py): eager-mode
post-training quantization (QuantStub/DeQuantStub, conv+ReLU fused, per-channel int8 weights,
min-max observers calibrated on the first 1024 MNIST training images, as Keel's), on each
quantized engine this torch has among onednn/fbgemm/x86/qnnpack; every metric keeps the fastest
engine and says which. Batch-1 latency (median and p99 over --latency-calls calls) and batch-256
throughput (samples/s from the median call).

python3 bench/suites/compress/pytorch_int8.py [--latency-calls 1000] [--min-seconds 2]
"""
import copy
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'common'))
import torch  # noqa: E402
from peers import (CACHE_DIR, load_mnist_train, median, parse_args, quantile,  # noqa: E402
                   report, thread_count, time_calls)
from torch import nn  # noqa: E402
from torch.ao import quantization as tq  # noqa: E402
from torch_cnn import load_keel, seed_cnn  # noqa: E402

args = parse_args()
latency_calls = int(args.get('latency-calls', 1000))
min_seconds = float(args.get('min-seconds', 2))
torch.set_num_threads(thread_count())


class Quantized(nn.Module):
    """The float network between a QuantStub and a DeQuantStub; softmax in float at the end."""

    def __init__(self, net):
        super().__init__()
        self.quant, self.net, self.dequant = tq.QuantStub(), net, tq.DeQuantStub()
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        return self.softmax(self.dequant(self.net(self.quant(x))))


float_net = seed_cnn(softmax=False).eval()
load_keel(float_net, os.path.join(CACHE_DIR, 'cnn-weights.bin'))
images, _ = load_mnist_train()
calibration = torch.from_numpy(images[:1024].copy()).reshape(1024, 1, 28, 28)
x = calibration[:256].clone()
x1 = x[:1].clone()

engines = [e for e in ('onednn', 'fbgemm', 'x86', 'qnnpack') if e in torch.backends.quantized.supported_engines]
results = {}
for engine in engines:
    torch.backends.quantized.engine = engine
    model = Quantized(copy.deepcopy(float_net)).eval()
    model.qconfig = tq.QConfig(
        activation=tq.MinMaxObserver.with_args(dtype=torch.quint8, reduce_range=engine == 'fbgemm'),
        weight=tq.PerChannelMinMaxObserver.with_args(dtype=torch.qint8, qscheme=torch.per_channel_symmetric))
    tq.fuse_modules(model.net, [['0', '1']], inplace=True)
    tq.prepare(model, inplace=True)
    with torch.inference_mode():
        for i in range(0, 1024, 256):
            model(calibration[i:i + 256])
    tq.convert(model, inplace=True)
    with torch.inference_mode():
        latency = time_calls(lambda: model(x1), warmup=50, min_reps=latency_calls,
                             max_reps=latency_calls, min_seconds=0)
        batch = time_calls(lambda: model(x), warmup=3, min_reps=10, min_seconds=min_seconds)
        probe = model(x[:4]).reshape(-1).tolist()
    results[engine] = {'latency': latency, 'batch': batch, 'probe': probe}

if not results:
    raise SystemExit('bench: this torch has no quantized engine (onednn, fbgemm, x86, qnnpack)')
fastest = min(results, key=lambda e: median(results[e]['latency']))
widest = max(results, key=lambda e: 256 / median(results[e]['batch']))
report({
    'suite': 'compress',
    'contender': 'torch-int8',
    'latencyMedianMs': median(results[fastest]['latency']) * 1e3,
    'latencyP99Ms': quantile(results[fastest]['latency'], 0.99) * 1e3,
    'throughput': 256 / median(results[widest]['batch']),
    'latencyCalls': len(results[fastest]['latency']),
    'throughputCalls': len(results[widest]['batch']),
    'probe': results[widest]['probe'],
    'threads': torch.get_num_threads(),
    'runtime': {'torch': torch.__version__, 'engines': engines, 'latencyEngine': fastest,
                'throughputEngine': widest,
                'perEngine': {e: {'latencyMedianMs': median(r['latency']) * 1e3,
                                  'throughput': 256 / median(r['batch'])} for e, r in results.items()}},
})
