"""numpy's float32 GEMM (through its BLAS): the median seconds of `a @ b` on two n x n matrices.

python3 bench/suites/gemm/numpy_gemm.py --n 512 [--min-seconds 1]
(Not called numpy.py: a script's folder comes first on sys.path, so it would shadow numpy.)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'common'))
import numpy as np  # noqa: E402
from peers import blas_info, median, parse_args, report, thread_count, time_calls  # noqa: E402

args = parse_args()
n = int(args.get('n', 512))
min_seconds = float(args.get('min-seconds', 1))

rng = np.random.default_rng(1)
a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
times = time_calls(lambda: a @ b, min_reps=3, min_seconds=min_seconds)
seconds = median(times)
report({
    'suite': 'gemm',
    'contender': 'numpy',
    'n': n,
    'seconds': seconds,
    'gflops': 2 * n**3 / seconds / 1e9,
    'reps': len(times),
    'threads': thread_count(),
    'runtime': {'numpy': np.__version__, 'blas': blas_info()},
})
