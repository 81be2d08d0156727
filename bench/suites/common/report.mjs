// Helpers shared by the Node contenders (Keel's .ts scripts and the peers' .mjs scripts): argument
// parsing, timing loops, statistics, the cached MNIST data and the one JSON line each contender prints.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** bench/.cache, where the shared data (MNIST, the ONNX model, its weights) lives. */
export const cacheDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.cache');

/** `--samples 640 --sizes 256,512` → { samples: '640', sizes: '256,512' }. */
export function parseArgs(argv = process.argv.slice(2)) {
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    if (!key.startsWith('--')) throw new Error(`bench: unexpected argument '${key}'`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) args[key.slice(2)] = 'true';
    else args[key.slice(2)] = argv[++i];
  }
  return args;
}

/** The thread count every contender runs with: KEEL_NUM_THREADS, else every core. */
export function threadCount() {
  const n = Number(process.env.KEEL_NUM_THREADS);
  return Number.isInteger(n) && n > 0 ? n : availableParallelism();
}

export function median(xs) {
  return quantile(xs, 0.5);
}

/** The q-quantile of xs with linear interpolation (q = 0.99 for p99). */
export function quantile(xs, q) {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/**
 * Calls fn `warmup` times untimed, then times it until both `minReps` calls and `minSeconds` have
 * passed (or `maxReps` calls). Returns the seconds of each timed call.
 */
export async function timeCalls(
  fn,
  { warmup = 1, minReps = 3, maxReps = 1000, minSeconds = 1 } = {},
) {
  for (let i = 0; i < warmup; i++) await fn();
  const times = [];
  let total = 0;
  while (times.length < maxReps && (times.length < minReps || total < minSeconds)) {
    const t0 = process.hrtime.bigint();
    await fn();
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    times.push(dt);
    total += dt;
  }
  return times;
}

/** Seconds fn takes once. */
export async function timeOnce(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/**
 * Times one training epoch through a Keras-style `model.fit` (Keel and TensorFlow.js): `warmSamples`
 * untimed first (one-off set-up stays out, as for every contender), then `model.fit` on the first
 * `samples` of `epochSamples`, scaled to the whole epoch. Reports the suite's line with `extra`.
 */
export async function timeFitEpoch({
  suite,
  contender,
  model,
  batch,
  samples,
  epochSamples,
  warmSamples = 64,
  extra,
}) {
  const fit = async (data) =>
    (await model.fit(data.x, data.y, { epochs: 1, batchSize: 32, verbose: 0 })).history;
  if (warmSamples > 0) await fit(batch(0, warmSamples));
  const timed = batch(0, samples);
  let logs = {};
  const seconds = await timeOnce(async () => {
    logs = await fit(timed);
  });
  report({
    suite,
    contender,
    epochSeconds: (seconds * epochSamples) / samples,
    timedSeconds: seconds,
    timedSamples: samples,
    epochSamples,
    extrapolated: samples < epochSamples,
    loss: logs.loss?.[0],
    accuracy: (logs.acc ?? logs.accuracy)?.[0],
    ...(await extra()),
  });
}

/**
 * The seed-CNN inference measurement (inference and compress suites): `predict(n)` runs a batch
 * of the first n MNIST training images and returns (a promise of) 4 images' outputs when n is 4.
 * Times batch 1 (median and p99 over --latency-calls calls) and batch 256 (samples/s from the
 * median call, at least --min-seconds) and prints the contender's line with the probe.
 */
export async function timeInference({ suite, contender, predict, threads, runtime }) {
  const args = parseArgs();
  const latencyCalls = Number(args['latency-calls'] ?? 1000);
  const minSeconds = Number(args['min-seconds'] ?? 2);
  const latency = await timeCalls(predict(1), {
    warmup: 50,
    minReps: latencyCalls,
    maxReps: latencyCalls,
    minSeconds: 0,
  });
  const batch = await timeCalls(predict(256), { warmup: 2, minReps: 5, minSeconds });
  const probe = Array.from(await predict(4)());
  report({
    suite,
    contender,
    latencyMedianMs: median(latency) * 1e3,
    latencyP99Ms: quantile(latency, 0.99) * 1e3,
    throughput: 256 / median(batch),
    latencyCalls: latency.length,
    throughputCalls: batch.length,
    probe,
    threads,
    runtime,
  });
}

/** The canonical MNIST train split exported by cnn-epoch/export-mnist.ts: NHWC images in [0, 1]. */
export function loadMnistTrain() {
  const images = readFileSync(join(cacheDir, 'mnist-train-images.f32'));
  const labels = readFileSync(join(cacheDir, 'mnist-train-labels.u8'));
  const n = labels.length;
  const x = new Float32Array(images.buffer, images.byteOffset, images.byteLength / 4);
  if (x.length !== n * 784)
    throw new Error('bench: the MNIST cache is inconsistent; delete bench/.cache');
  const oneHot = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) oneHot[i * 10 + labels[i]] = 1;
  return { n, x, labels: new Uint8Array(labels), oneHot };
}

/**
 * The seed LSTM program's data exported by lstm-epoch/export-spam.ts: the canonical SpamAssassin
 * train split as int32 token ids [n, 200] (0 = padding) and float32 labels [n] (1 = spam).
 */
export function loadSpamTrain() {
  const raw = readFileSync(join(cacheDir, 'spam-train-ids.i32'));
  const labels = readFileSync(join(cacheDir, 'spam-train-labels.u8'));
  const n = labels.length;
  const ids = new Int32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  if (ids.length !== n * 200)
    throw new Error('bench: the SpamAssassin cache is inconsistent; delete bench/.cache');
  return { n, maxlen: 200, ids, y: Float32Array.from(labels) };
}

/** Deterministic pseudo-random floats in [-1, 1) (the same sequence in every contender). */
export function fillRandom(n, seed = 1) {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Prints the contender's one JSON line on stdout, with its peak resident memory. */
export function report(result) {
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    `${JSON.stringify({ ...result, maxRssMB: Math.round(maxRssMB * 10) / 10 })}\n`,
  );
}
