import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { intOption } from '../options.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** `keel bench`: the side-by-side benchmarks of bench/run.ts (a checkout only). */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      'Run the side-by-side benchmarks against numpy, PyTorch, TensorFlow.js, ONNX Runtime.',
    )
    .option('--quick', 'fewer rounds and smaller sizes')
    .option('--suites <list>', 'comma-separated: gemm,cnn-epoch,inference,lstm-epoch,gpt')
    .option('--rounds <n>', 'rounds per contender', intOption('--rounds', 1))
    .option('--no-setup', 'do not install the peers first')
    .option('--skip <list>', 'contenders to leave out, e.g. tfjs-cpu')
    .addHelpText(
      'after',
      `
Examples:
  $ keel bench --quick --suites cnn-epoch
  $ keel bench --rounds 5 --no-setup

Writes bench/results/latest.json; needs a checkout of the repository (bench/ is not in the package).`,
    )
    .action(
      (options: {
        quick?: boolean;
        suites?: string;
        rounds?: number;
        setup: boolean;
        skip?: string;
      }) => {
        const script = join(root, 'bench', 'run.ts');
        if (!existsSync(script)) {
          throw new UsageError(
            `keel bench needs a checkout of the repository (${script} is missing)`,
          );
        }
        const args = [
          ...(options.quick ? ['--quick'] : []),
          ...(options.setup ? [] : ['--no-setup']),
          ...(options.suites ? ['--suites', options.suites] : []),
          ...(options.rounds ? ['--rounds', String(options.rounds)] : []),
          ...(options.skip ? ['--skip', options.skip] : []),
        ];
        const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
        const r = spawnSync(process.execPath, [tsx, script, ...args], {
          cwd: root,
          stdio: 'inherit',
        });
        if (r.status !== 0)
          throw new Error(`the benchmarks failed (exit code ${r.status ?? r.signal})`);
      },
    );
}
