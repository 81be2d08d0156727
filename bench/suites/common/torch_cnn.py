"""The seed CNN in PyTorch, and conversion of its weights to and from Keel's (Keras's) layout."""
import numpy as np
import torch
from torch import nn

# Keel layout, in getWeights() order: conv kernel [kh, kw, in, out], conv bias, dense kernel
# [in, out] over the NHWC-flattened features, dense bias.
KEEL_SHAPES = [(3, 3, 1, 32), (32,), (13 * 13 * 32, 10), (10,)]


def seed_cnn(softmax=False):
    """Conv2d(1, 32, 3) -> ReLU -> MaxPool 2x2 -> Flatten -> Linear(5408, 10) [-> Softmax], NCHW,
    initialised like Keras (Glorot-uniform kernels, zero biases). Training uses the logits with
    CrossEntropyLoss (PyTorch's idiom for softmax + categorical cross-entropy)."""
    layers = [nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(13 * 13 * 32, 10)]
    for m in (layers[0], layers[4]):
        nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)
    if softmax:
        layers.append(nn.Softmax(dim=1))
    return nn.Sequential(*layers)


def to_keel(model):
    """The weights as float32 arrays in Keel's layout and order."""
    conv, dense = model[0], model[4]
    return [
        conv.weight.detach().permute(2, 3, 1, 0).contiguous().numpy(),
        conv.bias.detach().numpy(),
        # torch flattens (c, h, w); Keel flattens (h, w, c).
        dense.weight.detach().reshape(10, 32, 13, 13).permute(2, 3, 1, 0).reshape(-1, 10).contiguous().numpy(),
        dense.bias.detach().numpy(),
    ]


def load_keel(model, path):
    """Sets the model's weights from a file of Keel-layout float32 weights (see to_keel)."""
    flat = np.fromfile(path, dtype=np.float32)
    arrays, at = [], 0
    for shape in KEEL_SHAPES:
        size = int(np.prod(shape))
        arrays.append(torch.from_numpy(flat[at:at + size].reshape(shape).copy()))
        at += size
    conv, dense = model[0], model[4]
    with torch.no_grad():
        conv.weight.copy_(arrays[0].permute(3, 2, 0, 1))
        conv.bias.copy_(arrays[1])
        dense.weight.copy_(arrays[2].reshape(13, 13, 32, 10).permute(3, 2, 0, 1).reshape(10, -1))
        dense.bias.copy_(arrays[3])


def blas_summary():
    """torch's BLAS as torch.__config__.show() states it: 'BLAS_INFO=generic, ...' ('generic' means the
    system's libblas.so.3, which Debian's alternatives point at OpenBLAS once it is installed)."""
    import re
    config = torch.__config__.show()
    keys = ('BLAS_INFO', 'LAPACK_INFO', 'USE_MKLDNN', 'USE_OPENMP')
    found = [m.group(0) for key in keys for m in [re.search(key + r'=[^,\s]+', config)] if m]
    capability = re.search(r'CPU capability usage: (\S+)', config)
    if capability:
        found.append('CPU capability ' + capability.group(1))
    return ', '.join(found) or 'not stated'
