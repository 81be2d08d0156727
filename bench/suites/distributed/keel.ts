/**
 * The `distributed` suite's Keel contender: the seed-CNN epoch (bench/distributed/cnn-epoch.ts)
 * or the char-GPT iteration (--model gpt: bench/distributed/gpt-iter.ts) on 1 process and on 2
 * ranks started by `keel launch` (its default MPI settings), 1 thread each; reports the speed-up,
 * the gradient communication per step and the fraction hidden behind the backward pass.
 * `node --import tsx bench/suites/distributed/keel.ts [--epochs 2 | --model gpt --iters 10]`
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, report } from '../common/report.mjs';

const args = parseArgs();
const gpt = args['model'] === 'gpt';
const here = dirname(fileURLToPath(import.meta.url));
const script = join(here, '..', '..', 'distributed', gpt ? 'gpt-iter.ts' : 'cnn-epoch.ts');
const keel = join(here, '..', '..', '..', 'bin', 'keel.mjs');
const scriptArgs = gpt
  ? ['--iters', String(args['iters'] ?? '10')]
  : ['--epochs', String(args['epochs'] ?? '2')];
const key = gpt ? 'iterSeconds' : 'epochSeconds';
const env = { ...process.env, KEEL_NUM_THREADS: '1' };

function run(command: string, argv: string[]): Record<string, number> {
  const r = spawnSync(command, argv, { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`distributed bench: ${command} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

const one = run(process.execPath, ['--import', 'tsx', script, ...scriptArgs]);
const two = run(process.execPath, [keel, 'launch', '--nproc', '2', script, ...scriptArgs]);
report({
  speedup: one[key]! / two[key]!,
  oneProcessSeconds: one[key],
  twoProcessSeconds: two[key],
  commMsPerStep: two['commMsPerStep'],
  hiddenFraction: two['hiddenFraction'],
});
