/**
 * Wall time of `keel tune` on one worker vs several on the same study (issue 17: two workers in at
 * most 0.6x the time of one). Runs the CLI as a user would, alternating the contenders, and prints
 * every run and the medians as one JSON line at the end. One worker trains in the search's process
 * with every core's threads; n workers get floor(cores / n) threads each.
 * A third contender, one worker held to one thread (KEEL_NUM_THREADS=1), shows how much the
 * single worker gains from its second thread, which bounds what more workers can gain:
 * `npx tsx bench/tune-workers.ts [rounds=3] [algorithm=random] [workers=2] [epochs=60] [one-thread]`
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const rounds = Number(process.argv[2] ?? 3);
const algorithm = process.argv[3] ?? 'random';
const workers = Number(process.argv[4] ?? 2);
const epochs = process.argv[5] ?? '60';
const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'keel-tune-bench-'));
const oneThread = process.argv[6] === 'one-thread';
const contenders = [
  { label: '1', workers: 1, threads: undefined as string | undefined },
  { label: String(workers), workers, threads: undefined as string | undefined },
  ...(oneThread ? [{ label: '1@1thread', workers: 1, threads: '1' }] : []),
];
const times: Record<string, number[]> = Object.fromEntries(contenders.map((c) => [c.label, []]));
const { KEEL_NUM_THREADS: _set, ...env } = process.env;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)]!;

try {
  for (let r = 0; r < rounds; r++) {
    // alternate which contender goes first, so drifting load hits both alike
    const order = r % 2 === 0 ? contenders : [...contenders].reverse();
    for (const { label, workers: w, threads } of order) {
      const t0 = performance.now();
      const out = execFileSync(
        process.execPath,
        [
          join(root, 'bin', 'keel.mjs'),
          'tune',
          join(root, 'examples', 'configs', 'tune-mnist.json'),
          '--algorithm',
          algorithm,
          '--max-total-epochs',
          epochs,
          '--workers',
          String(w),
          '--directory',
          join(dir, `${label}-r${r}`),
          '--overwrite',
        ],
        { encoding: 'utf8', env: threads ? { ...env, KEEL_NUM_THREADS: threads } : env },
      );
      const s = (performance.now() - t0) / 1000;
      times[label]!.push(s);
      const trials = out.match(/^Trials: .*$/m)?.[0] ?? '';
      console.log(`round ${r} workers ${label}: ${s.toFixed(1)} s  ${trials}`);
    }
  }
  const one = median(times['1']!);
  const many = median(times[String(workers)]!);
  console.log(
    JSON.stringify({
      bench: 'tune-workers',
      algorithm,
      epochs: Number(epochs),
      workers,
      seconds: times,
      median1: one,
      medianN: many,
      ratio: many / one,
      ...(oneThread ? { median1at1thread: median(times['1@1thread']!) } : {}),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
