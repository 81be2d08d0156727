import type { Command } from 'commander';
import { addDataOptions, type DataOptions, dataFromOptions } from '../data-options.js';
import { UsageError } from '../errors.js';
import { openModel } from '../model-files.js';
import { checkInputShape, intOption } from '../options.js';
import { printScores, scoreNames } from '../scores.js';

/** `keel evaluate MODEL --dataset mnist`: the loss and metrics of a saved model on test data. */
export function registerEvaluate(program: Command): void {
  const command = program
    .command('evaluate')
    .description('Evaluate a saved model (its saved loss and metrics) on test data.')
    .argument('<model>', 'a model file written by keel train or model.save');
  addDataOptions(command)
    .option('--batch-size <n>', 'samples per batch', intOption('--batch-size', 1), 256)
    .option('--json', 'print the scores as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ keel evaluate mnist-cnn.keel --dataset mnist
  $ keel evaluate mnist-cnn.keel --config examples/configs/mnist-cnn.json --json
  $ keel evaluate model.keel --csv test.csv --label species`,
    )
    .action(async (file: string, options: DataOptions & { batchSize: number; json?: boolean }) => {
      const model = openModel(file);
      if (!model.compiled) {
        throw new UsageError(
          `${file} has no loss and metrics saved (only files saved with includeOptimizer, as keel train writes, do)`,
        );
      }
      const loss = model.compiled.losses[0]?.name ?? '';
      const data = await dataFromOptions(options, loss, true);
      checkInputShape(model, data.xTest, file);
      const result = await model.evaluate(data.xTest, data.yTest, {
        batchSize: options.batchSize,
        verbose: 0,
      });
      const scores = Array.isArray(result) ? result : [result as number];
      const names = scoreNames(model, scores.length);
      if (options.json) {
        console.log(
          JSON.stringify({
            samples: data.xTest.shape[0],
            ...Object.fromEntries(names.map((n, i) => [n, scores[i]])),
          }),
        );
      } else {
        printScores(names, scores);
      }
    });
}
