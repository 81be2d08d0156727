/**
 * Runs every *.test.ts file under test/ (and beside the code in src/) in Node's test runner,
 * with TypeScript loaded through tsx. Extra arguments filter files by substring:
 * `npm run test:unit -- ops/add`.
 *
 * The op and layer tests (OP_LAYER_DIRS) run on both backends: in the first pass on the default
 * backend with KEEL_NATIVE_MIN_ELEMENTS=0, so the native kernels take even tiny shapes, and then
 * again with KEEL_BACKEND=ts, the reference. Without the native addon both passes would be the
 * TypeScript backend, so the second is skipped (KEEL_REQUIRE_NATIVE=1 makes a missing addon fail).
 *
 * Every test process gets KEEL_SEED (KEEL_TEST_SEED, default 1): Keel's global generator starts
 * from it, so each file's random weights and data are the same on every run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadBinding } from '../src/backends/native/binding.js';

/** Test folders whose files exercise ops and layers, so they run on every backend. */
const OP_LAYER_DIRS = [
  'test/ops',
  'test/nn/layers',
  'test/nn/activations',
  'test/nn/losses',
  'test/nn/optimizers',
  'test/nn/metrics',
  'test/nn/regularizers',
  'test/autograd',
];

function collect(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (entry.endsWith('.test.ts')) out.push(relative(process.cwd(), path));
  }
}

const COUNTS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo'] as const;
type Counts = Record<(typeof COUNTS)[number], number>;
/** A run's counts (null when node wrote none) and whether it exited cleanly. */
type Run = { ok: boolean; counts: Counts | null; failures: string[] };
const testSeed = process.env['KEEL_TEST_SEED'] || '1';
if (!/^\d+$/.test(testSeed)) {
  console.error(`run-tests: KEEL_TEST_SEED must be a non-negative integer, got '${testSeed}'`);
  process.exit(1);
}
const scratch = mkdtempSync(join(tmpdir(), 'keel-tests-'));
let runCount = 0;

/**
 * One `node --test` over `files` with extra environment variables: the usual reporter on stdout
 * (spec on a terminal, TAP otherwise, node's own choice) plus a TAP copy whose closing lines give
 * the counts.
 */
function runFiles(title: string, files: string[], env: Record<string, string>): Run {
  const settings = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  console.log(
    `\nrun-tests: ${title}: ${files.length} file${files.length === 1 ? '' : 's'}${settings.length ? ` (${settings.join(' ')})` : ''}`,
  );
  const tap = join(scratch, `run-${runCount++}.tap`);
  const started = performance.now();
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=2',
      `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`,
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...files,
    ],
    { stdio: 'inherit', env: { ...process.env, KEEL_SEED: testSeed, ...env } },
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  let counts: Counts | null = null;
  let failures: string[] = [];
  try {
    const text = readFileSync(tap, 'utf8');
    counts = Object.fromEntries(
      COUNTS.map((k) => [k, Number(new RegExp(`^# ${k} (\\d+)$`, 'm').exec(text)?.[1] ?? 0)]),
    ) as Counts;
    failures = failedTests(text);
  } catch {
    // No TAP file: node failed before running any test; the status below says so.
  }
  const ok = result.status === 0;
  console.log(
    `run-tests: ${title}: ${ok ? 'passed' : `FAILED (exit ${result.status ?? result.signal})`}` +
      `${counts ? `, ${counts.pass} of ${counts.tests} tests passed, ${counts.fail} failed` : ''} in ${seconds} s`,
  );
  return { ok, counts, failures };
}

/**
 * The failed tests of a TAP report (not the suites that failed because of them), each as its name,
 * its file:line and the first lines of its error: CI keeps only the end of the log, where these go.
 */
function failedTests(tap: string): string[] {
  const lines = tap.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = /^(\s*)not ok \d+ - (.*)$/.exec(lines[i]!);
    if (!head) continue;
    const indent = head[1]!.length;
    let location = '';
    let leaf = true;
    let field = '';
    const error: string[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j]!;
      if (line.trim() === '...' && line.length - line.trimStart().length === indent + 2) break;
      const entry = new RegExp(`^\\s{${indent + 2}}(\\w+): ?(.*)$`).exec(line);
      if (entry) {
        field = entry[1]!;
        const value = entry[2]!;
        if (field === 'location')
          location = value.replace(/^'|'$/g, '').replace(`${process.cwd()}/`, '');
        if (field === 'failureType' && value.includes('subtestsFailed')) leaf = false;
        if (field === 'error' && value !== '|-') error.push(value.replace(/^'|'$/g, ''));
      } else if (field === 'error' && line.trim()) error.push(line.trim());
    }
    if (!leaf) continue;
    const message = error.filter(Boolean).slice(0, 5).join(' / ');
    out.push(`not ok - ${head[2]} (${location})${message ? `\n    ${message.slice(0, 400)}` : ''}`);
  }
  return out;
}

const files: string[] = [];
for (const root of ['test', 'src']) collect(root, files);
const filters = process.argv.slice(2);
const selected = (
  filters.length ? files.filter((f) => filters.some((p) => f.includes(p))) : files
).sort();
if (selected.length === 0) {
  console.error(`run-tests: no test file matches ${filters.join(', ')}`);
  process.exit(1);
}

const isOpOrLayer = (f: string) => OP_LAYER_DIRS.some((d) => f.startsWith(`${d}/`));
const opLayer = selected.filter(isOpOrLayer);
const rest = selected.filter((f) => !isOpOrLayer(f));
const loaded = loadBinding();
const reason = loaded.binding ? '' : loaded.reason;
// What src/backends/index.ts will choose: native when it loaded, unless KEEL_BACKEND names another.
const backend = !reason && (process.env['KEEL_BACKEND'] || 'native') === 'native' ? 'native' : 'ts';
let failed = false;
if (reason && process.env['KEEL_REQUIRE_NATIVE'] === '1') {
  console.error(`run-tests: KEEL_REQUIRE_NATIVE=1 but the native addon did not load: ${reason}`);
  failed = true;
}

// Every test process starts Keel's global generator from this seed, so a failure reproduces:
// rerun with the seed printed here (KEEL_TEST_SEED=<n> npm run test:unit -- <file>).
console.log(`run-tests: global random seed KEEL_SEED=${testSeed} (KEEL_TEST_SEED chooses another)`);
const runs: Run[] = [];
if (rest.length)
  runs.push(runFiles(`pass 1: the rest of the suite on the ${backend} backend`, rest, {}));
if (opLayer.length) {
  // Native kernels decline inputs below this size; 0 makes them take the tests' tiny shapes too.
  const tiny = { KEEL_NATIVE_MIN_ELEMENTS: process.env['KEEL_NATIVE_MIN_ELEMENTS'] ?? '0' };
  const name = `pass 1: op and layer tests on the ${backend} backend`;
  runs.push(runFiles(name, opLayer, backend === 'ts' ? {} : tiny));
  if (backend === 'ts') {
    console.log(
      `\nrun-tests: no second pass of the op and layer tests: pass 1 ran them on the TypeScript backend (${reason ? `native addon absent: ${reason}` : `KEEL_BACKEND=${process.env['KEEL_BACKEND']}`})`,
    );
  } else {
    runs.push(
      runFiles('pass 2: op and layer tests on the ts backend', opLayer, { KEEL_BACKEND: 'ts' }),
    );
  }
}
rmSync(scratch, { recursive: true, force: true });

// Totals over every pass, in node's closing format (CI reads the last of these lines).
const total = Object.fromEntries(COUNTS.map((k) => [k, 0])) as Counts;
for (const { ok, counts } of runs) {
  if (!ok) failed = true;
  if (counts) for (const k of COUNTS) total[k] += counts[k];
}
const failures = runs.flatMap((r) => r.failures);
if (failures.length) {
  console.log(
    `\nrun-tests: the ${failures.length} failed test${failures.length === 1 ? '' : 's'}:`,
  );
  for (const f of failures.slice(0, 20)) console.log(f);
}
console.log(`\nrun-tests: all ${runs.length} runs together${failed ? ': FAILED' : ''}`);
for (const k of COUNTS) console.log(`# ${k} ${total[k]}`);
process.exit(failed ? 1 : 0);
