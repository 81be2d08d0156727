/**
 * What `npm run bench` runs: per suite, its cases, its contenders (one script each, run in its own
 * child process) and the metrics the summary compares.
 */

export type Runtime = 'keel' | 'node' | 'python';

export interface Contender {
  /** The name in tables and results ('keel' is the one every peer is compared with). */
  name: string;
  runtime: Runtime;
  /** The script, relative to bench/suites. */
  script: string;
  args: string[];
  /**
   * Also run on one thread and keep, metric by metric, the better of that and the configured
   * count: on a 2-core machine some runtimes (PyTorch's OpenMP) are faster on one thread, and a
   * peer measured at its worse setting proves nothing.
   */
  tryThreads?: boolean;
}

export interface Metric {
  /** The field of the contender's JSON line. */
  key: string;
  label: string;
  /** true for times, false for rates: the ratio is always Keel's time over the peer's. */
  lowerIsBetter: boolean;
  digits: number;
}

export interface Case {
  suite: string;
  /** 'n=256', or '' for a suite with a single case. */
  label: string;
  contenders: Contender[];
}

export interface Suite {
  name: string;
  title: string;
  metrics: Metric[];
  cases: Case[];
  /** Per contender, a note printed under the suite's table. */
  notes: string[];
}

const PEAK_RSS: Metric = {
  key: 'maxRssMB',
  label: 'peak RSS (MB)',
  lowerIsBetter: true,
  digits: 0,
};

function gemm(quick: boolean): Suite {
  const sizes = quick ? [256, 512] : [256, 512, 1024, 2048];
  const minSeconds = quick ? '0.3' : '1';
  return {
    name: 'gemm',
    title: 'float32 GEMM, n×n @ n×n (Keel ops.matMul vs numpy a @ b)',
    metrics: [{ key: 'gflops', label: 'GFLOP/s', lowerIsBetter: false, digits: 1 }, PEAK_RSS],
    cases: sizes.map((n) => ({
      suite: 'gemm',
      label: `n=${n}`,
      contenders: [
        {
          name: 'keel',
          runtime: 'keel',
          script: 'gemm/keel.ts',
          args: ['--n', `${n}`, '--min-seconds', minSeconds],
        },
        {
          name: 'numpy',
          runtime: 'python',
          script: 'gemm/numpy_gemm.py',
          args: ['--n', `${n}`, '--min-seconds', minSeconds],
        },
      ],
    })),
    notes: [],
  };
}

function cnnEpoch(quick: boolean): Suite {
  // tfjs's cpu backend needs minutes per epoch, so it trains a fixed number of batches and its time
  // is scaled to the 8,004-sample epoch; the others train the whole epoch (--quick: part of it).
  const samples = quick ? '640' : '8004';
  const cpuSamples = quick ? '96' : '640';
  const contender = (name: string, runtime: Runtime, script: string, extra: string[] = []) => ({
    name,
    runtime,
    script,
    args: [...extra, '--samples', name === 'tfjs-cpu' ? cpuSamples : samples],
    // tfjs runs one thread in Node whatever it is told.
    tryThreads: !name.startsWith('tfjs'),
  });
  return {
    name: 'cnn-epoch',
    title: 'one training epoch of the seed CNN on MNIST (8,004 images, batch 32, Adam)',
    metrics: [
      { key: 'epochSeconds', label: 'epoch (s)', lowerIsBetter: true, digits: 2 },
      PEAK_RSS,
    ],
    cases: [
      {
        suite: 'cnn-epoch',
        label: '',
        contenders: [
          contender('keel', 'keel', 'cnn-epoch/keel.ts'),
          contender('torch', 'python', 'cnn-epoch/pytorch.py'),
          contender('tfjs-wasm', 'node', 'cnn-epoch/tfjs.mjs', ['--backend', 'wasm']),
          contender('tfjs-cpu', 'node', 'cnn-epoch/tfjs.mjs', ['--backend', 'cpu']),
        ],
      },
    ],
    notes: [
      quick
        ? `--quick: every contender trains part of the epoch (tfjs-cpu ${cpuSamples} samples, the others ${samples}), timed and scaled to 8,004 samples`
        : `tfjs-cpu trains ${cpuSamples} samples (${Number(cpuSamples) / 32} batches), timed and scaled to the 8,004-sample epoch; the others train the whole epoch`,
      'tfjs-wasm has no Conv2DBackpropFilter kernel; the bench supplies one built from its own wasm kernels (cnn-epoch/tfjs-wasm-gaps.mjs)',
      'tfjs-cpu is single-threaded JavaScript; tfjs-wasm runs one thread in Node (no wasm multithreading there)',
    ],
  };
}

function inference(quick: boolean): Suite {
  const args = ['--latency-calls', quick ? '200' : '1000', '--min-seconds', quick ? '0.5' : '2'];
  return {
    name: 'inference',
    title: 'inference of the seed CNN, same weights (batch-1 latency; batch-256 throughput)',
    metrics: [
      { key: 'latencyMedianMs', label: 'batch 1 median (ms)', lowerIsBetter: true, digits: 3 },
      { key: 'latencyP99Ms', label: 'batch 1 p99 (ms)', lowerIsBetter: true, digits: 3 },
      { key: 'throughput', label: 'batch 256 (samples/s)', lowerIsBetter: false, digits: 0 },
      PEAK_RSS,
    ],
    cases: [
      {
        suite: 'inference',
        label: '',
        contenders: [
          { name: 'keel', runtime: 'keel', script: 'inference/keel.ts', args, tryThreads: true },
          {
            name: 'torch',
            runtime: 'python',
            script: 'inference/pytorch.py',
            args,
            tryThreads: true,
          },
          { name: 'ort', runtime: 'node', script: 'inference/ort.mjs', args, tryThreads: true },
        ],
      },
    ],
    notes: ['ort runs cnn.onnx exported from the PyTorch network (torch.onnx.export)'],
  };
}

/** The suites, in the order they run. */
export function allSuites(quick: boolean): Suite[] {
  return [gemm(quick), cnnEpoch(quick), inference(quick)];
}
