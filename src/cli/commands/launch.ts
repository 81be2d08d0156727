import type { Command } from 'commander';
import { launch } from '../../distributed/launch.js';
import { UsageError } from '../errors.js';

function count(name: string, value: string, least: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < least)
    throw new UsageError(`keel launch: ${name} must be an integer >= ${least}, got '${value}'`);
  return n;
}

/** `keel launch --nproc N script.ts [args...]`: data-parallel training on N processes via mpirun. */
export function registerLaunch(program: Command): void {
  program
    .command('launch')
    .description('Run a training script on several processes with mpirun (Open MPI or MPICH).')
    .requiredOption('--nproc <n>', 'number of processes')
    .option('--max-restarts <k>', 'restart the job up to k times after a failure', '0')
    .option('--hosts <list>', "mpirun's -H: host1:slots,host2:slots (default: this machine)")
    .option('--timeout <seconds>', 'end the job when a collective waits longer than this')
    .option(
      '--mpirun-arg <arg...>',
      'extra arguments for mpirun, e.g. --mpirun-arg=--mca,btl,tcp,self',
    )
    .argument('<script>', 'the training script (.ts runs through tsx)')
    .argument('[args...]', "the script's own arguments")
    .passThroughOptions()
    .addHelpText(
      'after',
      '\nExamples:\n  $ keel launch --nproc 2 examples/mnist-cnn.ts --epochs 2\n  $ keel launch --nproc 4 --max-restarts 1 train.ts\n  $ keel launch --nproc 8 --hosts node1:4,node2:4 train.ts',
    )
    .action(
      async (
        script: string,
        args: string[],
        o: {
          nproc: string;
          maxRestarts: string;
          hosts?: string;
          timeout?: string;
          mpirunArg?: string[];
        },
      ) => {
        const result = await launch({
          nproc: count('--nproc', o.nproc, 1),
          script,
          args,
          maxRestarts: count('--max-restarts', o.maxRestarts, 0),
          hosts: o.hosts,
          timeoutSeconds: o.timeout === undefined ? undefined : count('--timeout', o.timeout, 1),
          mpirunArgs: o.mpirunArg?.flatMap((a) => a.split(',')),
        });
        if (result.exitCode !== 0) {
          throw new Error(`launch failed after ${result.attempts} attempt(s): ${result.failure}`);
        }
      },
    );
}
