/**
 * Gradient-check stress run (not part of `npm test`): runs every test file that checks gradients
 * against finite differences (it calls expectGradOk, expectLayerGradOk or gradCheck) once per seed,
 * with KEEL_SEED set to that seed (the global generator behind random initial weights), and
 * reports how many seeds passed and which tests failed for which seeds. The files of one seed run
 * in one process (an entry module importing them all), which is about ten times faster than a
 * process per file on this project's 64 files; the tests still run in file order, each seed from
 * the start of the generator.
 *
 * `npx tsx scripts/gradcheck-stress.ts [--seeds 1..100] [--filter layers/] [--ts]`
 * --seeds  an inclusive range (default 1..100); --filter keeps files whose path contains it;
 * --ts     runs on the TypeScript backend (default: native with KEEL_NATIVE_MIN_ELEMENTS=0, as the
 *          first pass of run-tests).
 * Exits 1 when any seed failed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const GRADIENT_CHECK = /\b(expectGradOk|expectLayerGradOk|gradCheck)\(/;

function collect(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (entry.endsWith('.test.ts') && GRADIENT_CHECK.test(readFileSync(path, 'utf8')))
      out.push(relative(process.cwd(), path));
  }
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const range = option('--seeds') ?? '1..100';
const match = /^(\d+)\.\.(\d+)$/.exec(range);
if (!match || Number(match[1]) > Number(match[2])) {
  console.error(`gradcheck-stress: --seeds must be a range like 1..100, got '${range}'`);
  process.exit(2);
}
const [first, last] = [Number(match[1]), Number(match[2])];
const filter = option('--filter') ?? '';
const files: string[] = [];
collect('test', files);
collect('src', files);
const selected = files.filter((f) => f.includes(filter)).sort();
if (selected.length === 0) {
  console.error(`gradcheck-stress: no gradient-check test file matches '${filter}'`);
  process.exit(2);
}
const backendEnv = process.argv.includes('--ts')
  ? { KEEL_BACKEND: 'ts' }
  : { KEEL_NATIVE_MIN_ELEMENTS: '0' };
console.log(
  `gradcheck-stress: ${selected.length} files, seeds ${first}..${last}, ${JSON.stringify(backendEnv)}`,
);

const scratch = mkdtempSync(join(tmpdir(), 'keel-gradcheck-stress-'));
const entry = join(scratch, 'all.ts');
writeFileSync(
  entry,
  selected.map((f) => `import ${JSON.stringify(pathToFileURL(resolve(f)).href)};\n`).join(''),
);
const failuresByTest = new Map<string, number[]>();
let passedSeeds = 0;
const started = performance.now();
for (let seed = first; seed <= last; seed++) {
  const t0 = performance.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test-reporter=tap', entry], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, ...backendEnv, KEEL_SEED: String(seed), KEEL_TEST_SEED: String(seed) },
  });
  // Node's TAP reporter writes one top-level "not ok N - <name>" per failing describe or test.
  const failed = [...result.stdout.matchAll(/^not ok \d+ - (.+)$/gm)].map((m) => m[1]!.trim());
  if (result.status !== 0 && failed.length === 0) failed.push(`(exit ${result.status})`);
  for (const f of failed) failuresByTest.set(f, [...(failuresByTest.get(f) ?? []), seed]);
  if (failed.length === 0) passedSeeds++;
  const s = ((performance.now() - t0) / 1000).toFixed(0);
  console.log(
    `seed ${seed}: ${failed.length === 0 ? 'pass' : `FAIL ${failed.join(', ')}`} (${s} s)`,
  );
}
const total = last - first + 1;
const minutes = ((performance.now() - started) / 60000).toFixed(1);
console.log(`gradcheck-stress: ${passedSeeds}/${total} seeds passed in ${minutes} min`);
for (const [test, seeds] of failuresByTest)
  console.log(`  ${test}: failed for seeds ${seeds.join(', ')}`);
rmSync(scratch, { recursive: true, force: true });
process.exit(passedSeeds === total ? 0 : 1);
