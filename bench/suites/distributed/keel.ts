/**
 * The `distributed` suite's Keel contender: the seed-CNN epoch (bench/distributed/cnn-epoch.ts)
 * on 1 process and on 2 MPI ranks, 1 thread each; reports the speed-up, the gradient
 * communication per step and the fraction hidden behind the backward pass.
 * `node --import tsx bench/suites/distributed/keel.ts [--epochs 2]`
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, report } from '../common/report.mjs';

const args = parseArgs();
const epochs = args['epochs'] ?? '2';
const script = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'distributed',
  'cnn-epoch.ts',
);
const env = { ...process.env, KEEL_NUM_THREADS: '1' };

function run(command: string, argv: string[]): Record<string, number> {
  const r = spawnSync(command, argv, { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`distributed bench: ${command} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

const node = [process.execPath, '--import', 'tsx', script, '--epochs', epochs];
const one = run(node[0]!, node.slice(1));
const root = process.getuid?.() === 0 ? ['--allow-run-as-root'] : [];
const two = run('mpirun', [
  '-np',
  '2',
  '--bind-to',
  'none',
  ...root,
  '-x',
  'KEEL_NUM_THREADS',
  ...node,
]);
report({
  speedup: one['epochSeconds']! / two['epochSeconds']!,
  oneProcessSeconds: one['epochSeconds'],
  twoProcessSeconds: two['epochSeconds'],
  commMsPerStep: two['commMsPerStep'],
  hiddenFraction: two['hiddenFraction'],
});
