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
  /** Needs neither the peers of bench/setup.sh nor the shared data in bench/.cache. */
  selfContained?: boolean;
}

const PEAK_RSS: Metric = {
  key: 'maxRssMB',
  label: 'peak RSS (MB)',
  lowerIsBetter: true,
  digits: 0,
};

/** Batch-1 latency and batch-256 throughput of the seed CNN (inference and compress). */
const INFERENCE_METRICS: Metric[] = [
  { key: 'latencyMedianMs', label: 'batch 1 median (ms)', lowerIsBetter: true, digits: 3 },
  { key: 'latencyP99Ms', label: 'batch 1 p99 (ms)', lowerIsBetter: true, digits: 3 },
  { key: 'throughput', label: 'batch 256 (samples/s)', lowerIsBetter: false, digits: 0 },
  PEAK_RSS,
];

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
    metrics: INFERENCE_METRICS,
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

function compressSuite(quick: boolean): Suite {
  const args = ['--latency-calls', quick ? '200' : '1000', '--min-seconds', quick ? '0.5' : '2'];
  return {
    name: 'compress',
    title:
      'the seed CNN quantized to static int8 (batch-1 latency; batch-256 throughput): Keel int8 as keel, beside Keel float32, ONNX Runtime and PyTorch running int8',
    metrics: INFERENCE_METRICS,
    cases: [
      {
        suite: 'compress',
        label: '',
        contenders: [
          {
            name: 'keel',
            runtime: 'keel',
            script: 'compress/keel.ts',
            args: [...args, '--model', 'int8'],
            tryThreads: true,
          },
          {
            name: 'keel-float',
            runtime: 'keel',
            script: 'compress/keel.ts',
            args: [...args, '--model', 'float'],
            tryThreads: true,
          },
          {
            name: 'ort-int8',
            runtime: 'node',
            script: 'compress/ort.mjs',
            args,
            tryThreads: true,
          },
          {
            name: 'torch-int8',
            runtime: 'python',
            script: 'compress/pytorch_int8.py',
            args,
            tryThreads: true,
          },
        ],
      },
      // A 90%-pruned Dense at batch 1: LeNet-300-100's first layer and a large memory-bound one.
      ...(
        [
          [784, 300],
          [2048, 2048],
          [4096, 4096],
        ] as const
      ).map(([inputs, units]) => {
        const shape = ['--inputs', `${inputs}`, '--units', `${units}`];
        const calls = ['--latency-calls', inputs * units > 1e6 ? '300' : quick ? '500' : '2000'];
        return {
          suite: 'compress',
          label: `sparse Dense ${inputs}x${units} 90%`,
          contenders: ['sparse', 'dense'].map((model) => ({
            name: model === 'sparse' ? 'keel' : 'keel-float',
            runtime: 'keel' as const,
            script: 'compress/sparse-dense.ts',
            args: [...shape, ...calls, '--model', model],
          })),
        };
      }),
      {
        // The seed LSTM, dynamic int8 (QuantizedLSTM + QuantizedDense) beside its float32 self.
        suite: 'compress-lstm',
        label: 'seed LSTM, batch 32',
        contenders: [
          {
            name: 'keel',
            runtime: 'keel',
            script: 'compress/keel-lstm.ts',
            args: ['--model', 'int8', '--min-seconds', quick ? '0.5' : '2'],
            tryThreads: true,
          },
          {
            name: 'keel-float',
            runtime: 'keel',
            script: 'compress/keel-lstm.ts',
            args: ['--model', 'float', '--min-seconds', quick ? '0.5' : '2'],
            tryThreads: true,
          },
        ],
      },
      // char-GPT decoding at batch 1, weight-only int8 and int4 (WeightOnlyGPT, the native step)
      // beside float32 on the native step (plain generate), on the TypeScript fused loop and on
      // the layer-by-layer path, and the quantized ones on the TypeScript loop.
      ...(['int8', 'int4'] as const).map((bits) => ({
        suite: 'compress-gpt',
        label: `char-GPT generation, weight-only ${bits}`,
        contenders: [bits, `${bits}-loop`, 'float-native', 'float-step', 'float-loop', 'float'].map((model) => ({
          name: model === bits ? 'keel' : `keel-${model}`,
          runtime: 'keel' as const,
          script: 'compress/keel-gpt.ts',
          args: ['--model', model, '--min-seconds', quick ? '0.5' : '2'],
        })),
      })),
    ],
    notes: [
      'sparse Dense cases: batch-1 latency of one Dense (relu) pruned to 90% by magnitude and stripped, keel on the CSR kernel (ops.sparseDense), keel-float the same weights on the dense kernel (no throughput measured)',
      'compress-gpt: char-GPT (4 layers, 4 heads, 128 wide, context 64, vocabulary 89, setSeed(1)), generate 63 tokens at batch 1 (the throughput column, tokens/s); keel = compress.quantize weight-only (int8 per channel, int4 groups of 32) on the native decoding step (the whole decoder stack in one native call per token, integer products), keel-int8-loop / keel-int4-loop = the same weights on the TypeScript fused loop (one native product per matrix), keel-float-native = plain generate(gpt) (the native step with float32 weights, copied per generate call), keel-float-step = quantize bits 32 on the native step (no copy; with float-native the fair float baseline), keel-float-loop = quantize bits 32 on the TypeScript loop, keel-float = the float GPT through generate with decoder layers (the layer-by-layer path)',
      'compress-lstm: Embedding(10000, 64) → LSTM(128) → Dense(1) from setSeed(1), predict over the first 256 SpamAssassin train emails at batch 32 (the throughput column); keel = compress.quantize dynamic (h ranged per sample per step). PyTorch quantize_dynamic of the same LSTM was dropped: on this machine it did not finish one engine within 300 s',
      'one network, the weights of inference/export_onnx.py; int8 = compress.quantize static, min-max ranges from the first 1024 MNIST training images (PyTorch calibrates its own observers on the same images)',
      'ratios against keel-float are the int8 speed-up (keel-float time over keel int8 time, keel int8 rate over keel-float rate)',
      "ort-int8 runs cnn-int8-qdq.onnx, Keel's QDQ export of the same int8 model (ONNX Runtime fuses it into QLinearConv and uint8 pooling)",
      'torch-int8: eager-mode static quantization (conv+ReLU fused, per-channel int8 weights) on every quantized engine torch has (onednn, qnnpack on Debian 1.13); each metric keeps the faster engine',
    ],
  };
}

function lstmEpoch(quick: boolean): Suite {
  // Keel and PyTorch train the whole epoch (--quick: 3 batches). The tfjs backends need minutes per
  // batch, so they train a few batches (after a warm-up one) and their time is scaled to the epoch.
  const plan: Record<string, { samples: number; warm: number }> = quick
    ? {
        keel: { samples: 96, warm: 64 },
        torch: { samples: 96, warm: 64 },
        'tfjs-wasm': { samples: 32, warm: 32 },
        'tfjs-cpu': { samples: 32, warm: 0 },
      }
    : {
        keel: { samples: 4837, warm: 64 },
        torch: { samples: 4837, warm: 64 },
        'tfjs-wasm': { samples: 96, warm: 32 },
        'tfjs-cpu': { samples: 32, warm: 1 },
      };
  const contender = (name: string, runtime: Runtime, script: string, extra: string[] = []) => ({
    name,
    runtime,
    script,
    args: [
      ...extra,
      '--samples',
      `${plan[name]!.samples}`,
      ...(runtime === 'node' ? ['--warm-samples', `${plan[name]!.warm}`] : []),
    ],
    // PyTorch's OpenMP at 2 threads was 6x slower than at 1 on the 2-vCPU machine: try both.
    tryThreads: !name.startsWith('tfjs'),
  });
  const batches = (name: string) => Math.ceil(plan[name]!.samples / 32);
  return {
    name: 'lstm-epoch',
    title:
      'one training epoch of the seed LSTM program on SpamAssassin (4,837 emails × 200 tokens, batch 32, Adam)',
    metrics: [
      { key: 'epochSeconds', label: 'epoch (s)', lowerIsBetter: true, digits: 1 },
      PEAK_RSS,
    ],
    cases: [
      {
        suite: 'lstm-epoch',
        label: '',
        contenders: [
          contender('keel', 'keel', 'lstm-epoch/keel.ts'),
          contender('torch', 'python', 'lstm-epoch/pytorch.py'),
          contender('tfjs-wasm', 'node', 'lstm-epoch/tfjs.mjs', ['--backend', 'wasm']),
          contender('tfjs-cpu', 'node', 'lstm-epoch/tfjs.mjs', ['--backend', 'cpu']),
        ],
      },
    ],
    notes: [
      quick
        ? `--quick: keel and torch train ${batches('keel')} batches, tfjs-wasm ${batches('tfjs-wasm')}, tfjs-cpu one batch of ${plan['tfjs-cpu']!.samples} samples; all extrapolated to the 4,837-sample epoch`
        : `tfjs-wasm trains ${batches('tfjs-wasm')} batches (after one untimed) and tfjs-cpu ${batches('tfjs-cpu')} (after an untimed 1-sample batch: it needs minutes per batch), extrapolated to the 4,837-sample epoch; keel and torch train the whole epoch`,
      'torch: nn.LSTM has no recurrent dropout, so it applies the input dropout (0.2) only',
      'tfjs-wasm has no UnsortedSegmentSum kernel (the Embedding gradient); the bench supplies one built from its own ScatterNd (lstm-epoch/tfjs-wasm-gaps.mjs)',
    ],
  };
}

function gpt(quick: boolean): Suite {
  const args = quick
    ? ['--iters', '3', '--warmup', '1', '--new-tokens', '63', '--gen-reps', '2']
    : ['--iters', '30', '--warmup', '5', '--new-tokens', '63', '--gen-reps', '5'];
  return {
    name: 'gpt',
    title:
      'the char-GPT of examples/char-gpt.ts (4 layers, 4 heads, width 128, context 64, batch 12, 812,928 parameters)',
    metrics: [
      { key: 'iterSeconds', label: 'train iteration (s)', lowerIsBetter: true, digits: 3 },
      { key: 'tokensPerSecond', label: 'generation (tokens/s)', lowerIsBetter: false, digits: 0 },
      PEAK_RSS,
    ],
    cases: [
      {
        suite: 'gpt',
        label: '',
        contenders: [
          { name: 'keel', runtime: 'keel', script: 'gpt/keel.ts', args, tryThreads: true },
          {
            name: 'torch',
            runtime: 'python',
            script: 'gpt/pytorch_gpt.py',
            args,
            tryThreads: true,
          },
        ],
      },
    ],
    notes: [
      `train iteration: median of ${args[1]} (forward, backward, clipping, AdamW) after ${args[3]} untimed`,
      'generation: greedy, 63 new tokens after a 1-token prompt (the whole context, all from the key/value cache), median of the timed generations',
    ],
  };
}

function serve(quick: boolean): Suite {
  const seconds = quick ? '2' : '5';
  const contenders = (connections: number): Contender[] => {
    const args = ['--connections', `${connections}`, '--seconds', seconds];
    return [
      { name: 'keel', runtime: 'keel', script: 'serve/keel.ts', args },
      { name: 'ort', runtime: 'keel', script: 'serve/ort.ts', args, tryThreads: true },
      {
        name: 'keel-no-auth',
        runtime: 'keel',
        script: 'serve/keel.ts',
        args: [...args, '--no-auth'],
      },
    ];
  };
  return {
    name: 'serve',
    title:
      'the seed CNN over HTTP: keel serve vs a minimal fastify + onnxruntime-node server, batch-1 TF Serving requests from autocannon on loopback',
    metrics: [
      { key: 'throughput', label: 'requests/s', lowerIsBetter: false, digits: 0 },
      { key: 'p99Ms', label: 'p99 latency (ms)', lowerIsBetter: true, digits: 0 },
      { key: 'p50Ms', label: 'p50 latency (ms)', lowerIsBetter: true, digits: 0 },
      {
        key: 'serverCpuUsPerRequest',
        label: 'server CPU/request (µs)',
        lowerIsBetter: true,
        digits: 0,
      },
    ],
    cases: [1, 16, 64].map((c) => ({
      suite: 'serve',
      label: `${c} conn`,
      contenders: contenders(c),
    })),
    notes: [
      `each contender starts its own server (default threading: the harness's thread variables are removed), warms up 1 s, then autocannon runs ${seconds} s; autocannon shares the machine`,
      'keel: 1 worker thread, batches of up to 64, API key + SQLite usage metering; keel-no-auth: the same with --no-auth, so keel/keel-no-auth requests/s is the cost of auth + metering (1.05 = 5%)',
      'ort: fastify + onnxruntime-node, one session.run per request (serve/ort-server.mjs), the ONNX export of the same weights; run with intra-op threads at every core and at 1, each metric its better value (@Nt)',
      'latencies are whole milliseconds (autocannon); a ratio is "-" where a median is 0 ms',
    ],
    selfContained: true,
  };
}

/** The 2-process speed-ups of the seed-CNN epoch and the char-GPT iteration, Keel on MPI beside PyTorch DDP (gloo). */
function distributedSuite(quick: boolean): Suite {
  const cnn = ['--epochs', quick ? '1' : '2'];
  const gpt = ['--model', 'gpt', '--iters', quick ? '4' : '10'];
  const contenders = (args: string[]) => [
    { name: 'keel', runtime: 'keel' as const, script: 'distributed/keel.ts', args },
    { name: 'pytorch-ddp', runtime: 'python' as const, script: 'distributed/pytorch_ddp.py', args },
  ];
  return {
    name: 'distributed',
    title:
      'data parallelism on 2 processes vs 1, 1 thread each: seed-CNN epoch (8,004 images, global batch 32, Adam) and char-GPT iteration (global batch 12, AdamW, clip 1.0)',
    metrics: [
      { key: 'speedup', label: '2-process speed-up', lowerIsBetter: false, digits: 2 },
      { key: 'twoProcessSeconds', label: '2 processes (s)', lowerIsBetter: true, digits: 3 },
      { key: 'commMsPerStep', label: 'allreduce ms/step', lowerIsBetter: true, digits: 2 },
      { key: 'hiddenFraction', label: 'hidden behind backward', lowerIsBetter: false, digits: 2 },
    ],
    cases: [
      { suite: 'distributed', label: 'seed-CNN epoch', contenders: contenders(cnn) },
      { suite: 'distributed', label: 'char-GPT iteration', contenders: contenders(gpt) },
    ],
    notes: [
      'keel: bench/distributed/cnn-epoch.ts and gpt-iter.ts alone and under keel launch --nproc 2 (Open MPI, shared memory); pytorch-ddp: torch_ddp_cnn.py and torch_ddp_gpt.py with DistributedDataParallel over gloo, on random rows of the same shapes and counts',
      'epoch and iteration times are after one untimed warm-up pass; the allreduce bandwidth beside MPI_Allreduce in C is bench/distributed/compare-allreduce.sh; alternated rounds with load averages: bench/distributed/speedup.sh',
    ],
    selfContained: true,
  };
}

/** The suites, in the order they run. */
export function allSuites(quick: boolean): Suite[] {
  return [
    gemm(quick),
    cnnEpoch(quick),
    inference(quick),
    compressSuite(quick),
    lstmEpoch(quick),
    gpt(quick),
    serve(quick),
    distributedSuite(quick),
  ];
}
