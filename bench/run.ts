/**
 * `npm run bench [-- --quick] [--no-setup] [--rounds 5] [--suites gemm,cnn-epoch,inference,compress,lstm-epoch,gpt,serve]`:
 * Keel side by side with its peers (numpy, PyTorch, TensorFlow.js, ONNX Runtime) on one machine.
 * Installs the peers (bench/setup.sh) unless --no-setup, runs every contender in its own child
 * process, one at a time, alternating their order over the rounds, prints the medians and Keel/peer
 * ratios and writes bench/results/latest.json. See bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allSuites, type Contender, type Runtime } from './suites.js';
import { formatSuite, type Run, summarize } from './summary.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const cache = join(here, '.cache');
const python = process.env['KEEL_BENCH_PYTHON'] ?? '/usr/bin/python3';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
if (flag('help')) {
  console.log(
    'Usage: npm run bench -- [--quick] [--no-setup] [--rounds R] [--suites gemm,cnn-epoch,inference,compress,lstm-epoch,gpt,serve] [--malloc-tuned] [--skip tfjs-cpu,...]',
  );
  process.exit(0);
}
const quick = flag('quick');
const rounds = Number(option('rounds') ?? (quick ? 1 : 5));
if (!Number.isInteger(rounds) || rounds < 1)
  throw new Error(`bench: --rounds must be >= 1, got ${rounds}`);
const envThreads = Number(process.env['KEEL_NUM_THREADS']);
const threads =
  Number.isInteger(envThreads) && envThreads > 0 ? envThreads : availableParallelism();
const wanted = option('suites')?.split(',');
// --skip: contenders left out of every suite (e.g. tfjs-cpu, whose LSTM batch takes minutes).
const skipped = option('skip')?.split(',') ?? [];
const suites = allSuites(quick)
  .filter((s) => !wanted || wanted.includes(s.name))
  .map((s) => ({
    ...s,
    cases: s.cases.map((c) => ({
      ...c,
      contenders: c.contenders.filter((x) => !skipped.includes(x.name)),
    })),
  }));
if (suites.length === 0) throw new Error(`bench: no suite matches --suites ${wanted}`);

// --malloc-tuned: glibc keeps freed memory instead of returning it to the OS after every large
// free (every contender alike), which spares the page faults of re-allocating big buffers.
const mallocTuned = flag('malloc-tuned');

/** Every contender gets the same thread count; the Python peers also lose the OpenBLAS overrides. */
function childEnv(runtime: Runtime, count = threads): NodeJS.ProcessEnv {
  const n = `${count}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KEEL_NUM_THREADS: n,
    OMP_NUM_THREADS: n,
    OPENBLAS_NUM_THREADS: n,
    MKL_NUM_THREADS: n,
  };
  if (mallocTuned) {
    env['MALLOC_MMAP_THRESHOLD_'] = '33554432';
    env['MALLOC_TRIM_THRESHOLD_'] = '134217728';
  }
  if (runtime === 'python') {
    delete env['OPENBLAS_CORETYPE'];
    delete env['OPENBLAS_L2_SIZE'];
    env['PYTHONDONTWRITEBYTECODE'] = '1'; // no __pycache__ in bench/suites
  }
  return env;
}

function command(runtime: Runtime, script: string): [string, string[]] {
  const path = join(here, 'suites', script);
  if (runtime === 'keel') return [process.execPath, ['--import', 'tsx', path]];
  if (runtime === 'node') return [process.execPath, [path]];
  return [python, [path]];
}

/** Runs one script to completion and returns the JSON line it printed last. */
function runScript(
  runtime: Runtime,
  script: string,
  args: string[],
  count = threads,
): { result?: Record<string, unknown>; error?: string } {
  const [cmd, base] = command(runtime, script);
  const child = spawnSync(cmd, [...base, ...args], {
    cwd: root,
    env: childEnv(runtime, count),
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
    timeout: (quick ? 10 : 60) * 60_000,
  });
  const line = (child.stdout ?? '')
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (child.status === 0 && line) return { result: JSON.parse(line) as Record<string, unknown> };
  const why =
    child.error?.message ??
    (child.stderr || child.stdout || '').trim().split('\n').slice(-4).join(' | ');
  return { error: `${script} exited with ${child.status ?? child.signal}: ${why}` };
}

function mustRun(runtime: Runtime, script: string, args: string[] = []): Record<string, unknown> {
  const { result, error } = runScript(runtime, script, args);
  if (!result) throw new Error(`bench: ${error}`);
  return result;
}

// Suites that need the peers and shared data (all but the self-contained `serve`).
const needsPeers = suites.some((s) => !s.selfContained);
if (needsPeers && !flag('no-setup')) {
  const setup = spawnSync('bash', [join(here, 'setup.sh')], { cwd: root, stdio: 'inherit' });
  if (setup.status !== 0) throw new Error('bench: bench/setup.sh failed; run it alone to see why');
}

// The data and the network every contender shares, made once.
function prepare(files: string[], runtime: Runtime, script: string, what: string): void {
  if (!needsPeers || files.every((f) => existsSync(join(cache, f)))) return;
  const out = spawnSync(...command(runtime, script), {
    cwd: root,
    stdio: 'inherit',
    ...(runtime === 'python' ? { env: childEnv('python') } : {}),
  });
  if (out.status !== 0) throw new Error(`bench: ${what} failed`);
}
prepare(['mnist-train-labels.u8'], 'keel', 'cnn-epoch/export-mnist.ts', 'exporting MNIST');
prepare(
  ['spam-train-labels.u8'],
  'keel',
  'lstm-epoch/export-spam.ts',
  'exporting the SpamAssassin split',
);
prepare(['moby-dick-vocab.json'], 'keel', 'gpt/export-moby-dick.ts', 'exporting Moby-Dick');
prepare(
  ['cnn.onnx', 'cnn-weights.bin'],
  'python',
  'inference/export_onnx.py',
  'exporting the ONNX model',
);

// The compress suite's int8 model and its ONNX export, made from the current sources each run.
if (suites.some((s) => s.name === 'compress')) {
  const out = spawnSync(...command('keel', 'compress/prepare.ts'), { cwd: root, stdio: 'inherit' });
  if (out.status !== 0)
    throw new Error('bench: quantizing the seed CNN for the compress suite failed');
}

const peers = needsPeers ? mustRun('python', 'common/env_info.py') : {};
const load = loadavg()[0]!;
console.log(
  `\nmachine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, load ${load.toFixed(1)}; every contender uses ${threads} thread(s) (KEEL_NUM_THREADS)`,
);
if (load > availableParallelism())
  console.log('warning: the machine is busy (load above the core count); expect noisy numbers');
if (needsPeers) {
  console.log(`numpy ${peers['numpy']}: BLAS ${peers['numpyBlas']}`);
  console.log(`torch ${peers['torch']}: ${peers['torchBlas']}; loaded BLAS ${peers['loadedBlas']}`);
  for (const name of ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE']) {
    if (process.env[name] !== undefined)
      console.log(`${name}=${process.env[name]} is unset for numpy and torch`);
  }
  if (!`${peers['numpyBlas']} ${peers['loadedBlas']}`.toLowerCase().includes('openblas')) {
    console.log(
      'warning: numpy/torch are not using OpenBLAS; their numbers understate them (run bench/setup.sh)',
    );
  }
}

/**
 * Runs a contender at the configured thread count and, when it asks (tryThreads), also at one
 * thread; each metric keeps its better value, and `threadsTried` records every count's values.
 */
function runBest(suite: (typeof suites)[number], contender: Contender) {
  const counts = contender.tryThreads && threads > 1 ? [threads, 1] : [threads];
  const tries = counts.map((n) => ({
    n,
    ...runScript(contender.runtime, contender.script, contender.args, n),
  }));
  const ok = tries.filter((t) => t.result);
  if (ok.length === 0) return { error: tries[0]!.error };
  if (counts.length === 1) return { result: ok[0]!.result };
  const better = (m: (typeof suite.metrics)[number], a: number, b: number) =>
    m.lowerIsBetter ? a < b : a > b;
  // The run that wins the first metric gives the rest of the record (runtime, probe, threads).
  const pick = (m: (typeof suite.metrics)[number]) =>
    ok.reduce((best, t) =>
      better(m, Number(t.result![m.key]), Number(best.result![m.key])) ? t : best,
    );
  const lead = pick(suite.metrics[0]!);
  const result: Record<string, unknown> = { ...lead.result };
  const bestThreads: Record<string, number> = {};
  for (const m of suite.metrics) {
    const w = pick(m);
    result[m.key] = w.result![m.key];
    bestThreads[m.key] = w.n;
  }
  result['bestThreads'] = bestThreads;
  result['threadsTried'] = Object.fromEntries(
    ok.map((t) => [t.n, Object.fromEntries(suite.metrics.map((m) => [m.key, t.result![m.key]]))]),
  );
  return { result };
}

const runs: Run[] = [];
const started = Date.now();
for (let round = 1; round <= rounds; round++) {
  for (const suite of suites) {
    for (const c of suite.cases) {
      // Alternate: each round starts with the next contender, so drift hits all of them alike.
      const shift = (round - 1) % c.contenders.length;
      const order: Contender[] = [...c.contenders.slice(shift), ...c.contenders.slice(0, shift)];
      for (const contender of order) {
        const t0 = Date.now();
        const { result, error } = runBest(suite, contender);
        runs.push({
          suite: suite.name,
          case: c.label,
          contender: contender.name,
          round,
          result,
          error,
        });
        const best = result?.['bestThreads'] as Record<string, number> | undefined;
        const shown = result
          ? suite.metrics
              .map(
                (m) =>
                  `${m.label} ${Number(result[m.key]).toFixed(m.digits)}${best ? ` @${best[m.key]}t` : ''}`,
              )
              .join(', ')
          : `FAILED ${error}`;
        const where = `${suite.name}${c.label ? ` ${c.label}` : ''}`;
        console.log(
          `[round ${round}/${rounds}] ${where} ${contender.name}: ${shown} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
        );
      }
    }
  }
}

const rows = summarize(suites, runs);
console.log('');
for (const suite of suites) console.log(`${formatSuite(suite, rows, rounds)}\n`);

// What each contender ran on, from its first successful run.
const runtimes: Record<string, unknown> = {};
for (const run of runs) {
  const key = `${run.suite}/${run.contender}`;
  if (run.result && !(key in runtimes)) {
    runtimes[key] = { threads: run.result['threads'], ...(run.result['runtime'] as object) };
  }
}
console.log('contenders:');
for (const [key, info] of Object.entries(runtimes))
  console.log(`  ${key}: ${JSON.stringify(info)}`);
for (const [key, info] of Object.entries(runtimes)) {
  const used = (info as { threads?: unknown }).threads;
  if (typeof used === 'number' && used !== threads)
    console.log(`note: ${key} ran on ${used} thread(s), not ${threads}`);
}

/**
 * Each contender's probe (4 images' probabilities) against keel's in `suite`; a difference above
 * `limit(name)` is flagged: the contenders were meant to run the same network.
 */
function compareProbes(suite: string, what: string, limit: (name: string) => number): void {
  const probes = new Map(
    runs
      .filter((r) => r.suite === suite && r.result?.['probe'])
      .map((r) => [r.contender, r.result!['probe'] as number[]]),
  );
  const keelProbe = probes.get('keel');
  for (const [name, probe] of probes) {
    if (name === 'keel' || !keelProbe) continue;
    const diff = Math.max(...probe.map((v, i) => Math.abs(v - keelProbe[i]!)));
    console.log(
      `${suite}: max |keel - ${name}| over 4 images' probabilities = ${diff.toExponential(1)}${diff > limit(name) ? `  (MISMATCH: not the same ${what})` : ''}`,
    );
  }
}
// The inference contenders run the same weights. The compress contenders quantize the same
// network: ORT runs Keel's own int8 model, so it must agree closely; float32 and PyTorch's own
// calibration differ by quantization noise.
compareProbes('inference', 'network', () => 1e-4);
compareProbes('compress', 'int8 model', (name) => (name === 'ort-int8' ? 1e-3 : 1));

// The gpt contenders must build the same network: equal parameter counts.
const gptParams = new Map(
  runs
    .filter((r) => r.suite === 'gpt' && r.result?.['params'] !== undefined)
    .map((r) => [r.contender, Number(r.result!['params'])]),
);
if (gptParams.size > 0) {
  const counts = [...gptParams].map(([name, n]) => `${name} ${n.toLocaleString()}`).join(', ');
  const same = new Set(gptParams.values()).size === 1;
  console.log(
    `gpt: parameters ${counts}${same ? ' (equal)' : '  (MISMATCH: not the same network)'}`,
  );
}

const failed = runs.filter((r) => r.error);
mkdirSync(join(here, 'results'), { recursive: true });
const file = join(here, 'results', 'latest.json');
writeFileSync(
  file,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      options: { quick, rounds, threads, mallocTuned, suites: suites.map((s) => s.name) },
      machine: {
        cpu: cpus()[0]?.model,
        cores: availableParallelism(),
        loadAtStart: load,
        node: process.version,
      },
      peers,
      runtimes,
      summary: rows,
      runs,
      seconds: (Date.now() - started) / 1000,
    },
    null,
    2,
  )}\n`,
);
console.log(`\nwrote ${file}${failed.length ? `; ${failed.length} run(s) failed` : ''}`);
if (failed.length) process.exitCode = 1;
