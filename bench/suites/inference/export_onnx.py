"""Writes the inference benchmark's network to bench/.cache: the seed CNN (softmax output, seeded
Keras-style initialisation) as cnn.onnx for ONNX Runtime, and its weights in Keel's layout as
cnn-weights.bin for Keel and PyTorch, so that all three run the same numbers.

python3 bench/suites/inference/export_onnx.py
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'common'))
import numpy as np  # noqa: E402
import torch  # noqa: E402
from peers import CACHE_DIR  # noqa: E402
from torch_cnn import seed_cnn, to_keel  # noqa: E402

# torch 1.13 exports up to opset 17; take the highest this torch knows.
try:
    from torch.onnx._constants import ONNX_MAX_OPSET
except ImportError:
    ONNX_MAX_OPSET = 17
OPSET = min(17, ONNX_MAX_OPSET)

torch.manual_seed(0)
model = seed_cnn(softmax=True).eval()
os.makedirs(CACHE_DIR, exist_ok=True)
np.concatenate([w.reshape(-1) for w in to_keel(model)]).astype('<f4').tofile(
    os.path.join(CACHE_DIR, 'cnn-weights.bin'))
torch.onnx.export(
    model,
    torch.zeros(1, 1, 28, 28),
    os.path.join(CACHE_DIR, 'cnn.onnx'),
    input_names=['input'],
    output_names=['probs'],
    dynamic_axes={'input': {0: 'batch'}, 'probs': {0: 'batch'}},
    opset_version=OPSET,
)
print(f'bench: wrote cnn.onnx (opset {OPSET}) and cnn-weights.bin to {os.path.normpath(CACHE_DIR)}')
