import type { Command } from 'commander';
import { inspect } from '../../data/cleaning/inspect.js';
import { addDataOptions, type DataOptions, dataFromOptions } from '../data-options.js';
import { UsageError } from '../errors.js';

/** `keel inspect-data --dataset mnist`: the data cleaning report (duplicates, leakage, ...). */
export function registerInspectData(program: Command): void {
  const command = program
    .command('inspect-data')
    .description(
      'Report duplicates, train/test leakage, missing and out-of-range values and class balance.',
    );
  addDataOptions(command)
    .option('--no-near', 'skip the near-duplicate search (faster)')
    .option('--range <min,max>', 'the range every feature should lie in, e.g. 0,1')
    .option(
      '--fail-on <level>',
      'exit 1 when a finding is at this level: error (default) or warning',
      'error',
    )
    .option('--json', 'print the findings as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ keel inspect-data --dataset mnist --range 0,1
  $ keel inspect-data --config examples/configs/mnist-cnn.json --json
  $ keel inspect-data --csv iris.csv --label species --fail-on warning

Exit codes: 0 clean, 1 findings at the --fail-on level, 2 bad usage.`,
    )
    .action(
      async (
        options: DataOptions & { near: boolean; range?: string; failOn: string; json?: boolean },
      ) => {
        if (options.failOn !== 'error' && options.failOn !== 'warning') {
          throw new UsageError(`--fail-on must be error or warning, got '${options.failOn}'`);
        }
        const range = options.range?.split(',').map(Number);
        if (
          range &&
          (range.length !== 2 || !range.every(Number.isFinite) || range[0]! > range[1]!)
        ) {
          throw new UsageError(`--range needs min,max with min <= max, got '${options.range}'`);
        }
        const data = await dataFromOptions(options, 'sparse', false);
        const report = await inspect(
          { x: data.xTrain, y: data.yTrain, xTest: data.xTest, yTest: data.yTest },
          {
            nearDuplicates: options.near,
            ...(range ? { valueRange: range as [number, number] } : {}),
          },
        );
        if (options.json) console.log(JSON.stringify({ findings: report.findings }));
        else console.log(String(report));
        const levels = options.failOn === 'warning' ? ['warning', 'error'] : ['error'];
        const failing = report.findings.filter((f) => levels.includes(f.level));
        if (failing.length > 0) {
          throw new Error(
            `${failing.length} finding(s) at level ${options.failOn} or above: ${failing.map((f) => f.check).join(', ')}`,
          );
        }
      },
    );
}
