"""Prints one JSON line describing the Python peers: versions and which BLAS each uses
(numpy.show_config, torch.__config__.show(), and threadpoolctl's view of the loaded libraries).

python3 bench/suites/common/env_info.py
"""
import contextlib
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peers import blas_info  # noqa: E402

info = {'python': sys.version.split()[0]}
try:
    import numpy as np
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        np.show_config()
    info['numpy'] = np.__version__
    info['numpyConfig'] = out.getvalue()
    # numpy loads the BLAS now; torch's shows up below once it is imported.
    info['numpyBlas'] = blas_info()
except ImportError as e:
    info['numpy'] = f'missing ({e})'
try:
    import torch
    from torch_cnn import blas_summary
    info['torch'] = torch.__version__
    info['torchBlas'] = blas_summary()
    info['torchConfig'] = torch.__config__.show()
    info['torchParallel'] = torch.__config__.parallel_info()
    info['loadedBlas'] = blas_info()
except ImportError as e:
    info['torch'] = f'missing ({e})'
info['blasAlternative'] = os.path.realpath('/usr/lib/x86_64-linux-gnu/libblas.so.3')
print(json.dumps(info))
