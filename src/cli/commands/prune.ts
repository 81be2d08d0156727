import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { PolynomialDecay } from '../../compress/prune/polynomial-decay.js';
import { pruneLowMagnitude } from '../../compress/prune/prune-low-magnitude.js';
import { sparsity } from '../../compress/prune/sparsity.js';
import { stripPruning } from '../../compress/prune/strip-pruning.js';
import { checkStructure } from '../../compress/prune/structure.js';
import { UpdatePruningStep } from '../../compress/prune/update-pruning-step.js';
import { addDataOptions, type DataOptions, dataFromOptions } from '../data-options.js';
import { UsageError } from '../errors.js';
import { removeEmptyDir, resumableTraining } from '../interrupt.js';
import { openModel } from '../model-files.js';
import { checkInputShape, intOption, numberOption } from '../options.js';
import { scoreNames } from '../scores.js';

interface PruneOptions extends DataOptions {
  sparsity: number;
  epochs: number;
  batchSize: number;
  structure: string;
  scope: string;
  output?: string;
  backupDir?: string;
  json?: boolean;
}

/**
 * `keel prune MODEL --sparsity 0.9 --dataset mnist`: magnitude pruning while fine-tuning (Zhu &
 * Gupta's polynomial schedule reaching the target after two thirds of the steps), then strip and save.
 */
export function registerPrune(program: Command): void {
  const command = program
    .command('prune')
    .description('Prune a trained model to a target sparsity while fine-tuning it, and save it.')
    .argument('<model>', 'a model file written by keel train (with its optimizer and loss)');
  addDataOptions(command)
    .option(
      '--sparsity <s>',
      'the fraction of weights set to zero',
      numberOption('--sparsity', 0, 0.99),
      0.8,
    )
    .option('--epochs <n>', 'fine-tuning epochs', intOption('--epochs', 1), 2)
    .option('--batch-size <n>', 'samples per batch', intOption('--batch-size', 1), 32)
    .option('--structure <s>', "unstructured, '2:4' or channel", 'unstructured')
    .option('--scope <s>', 'layer (one threshold per kernel) or global', 'layer')
    .option('-o, --output <file>', 'the pruned model file (default <model>-pruned.keel)')
    .option('--backup-dir <dir>', 'where the resumable checkpoint lives (default <output>.backup)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ keel prune mnist-cnn.keel --dataset mnist --sparsity 0.9 --epochs 2
  $ keel prune model.keel --config my-config.yaml --structure 2:4 -o model-24.keel --json

Ctrl-C saves a checkpoint and exits with code 130; the same command resumes from it.`,
    )
    .action(async (file: string, options: PruneOptions) => {
      if (options.scope !== 'layer' && options.scope !== 'global') {
        throw new UsageError(`--scope must be layer or global, got '${options.scope}'`);
      }
      let structure: ReturnType<typeof checkStructure>;
      try {
        structure = checkStructure('keel prune', options.structure);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const model = openModel(file);
      if (!model.compiled) {
        throw new UsageError(
          `${file} has no optimizer and loss saved; prune needs a file written by keel train`,
        );
      }
      const data = await dataFromOptions(options, model.compiled.losses[0]?.name ?? '', false);
      checkInputShape(model, data.xTrain, file);
      const evaluate = async () => {
        const r = await model.evaluate(data.xTest, data.yTest, { batchSize: 256, verbose: 0 });
        const scores = Array.isArray(r) ? r : [r as number];
        const names = scoreNames(model, scores.length);
        return Object.fromEntries(names.map((n, i) => [n, scores[i]!]));
      };
      const before = await evaluate();
      const steps = Math.ceil(data.xTrain.shape[0]! / options.batchSize) * options.epochs;
      const frequency = Math.max(1, Math.min(50, Math.floor(steps / 10)));
      const endStep = Math.max(frequency, Math.round((steps * 2) / 3 / frequency) * frequency);
      const schedule = new PolynomialDecay({
        initialSparsity: 0,
        finalSparsity: options.sparsity,
        beginStep: 0,
        endStep,
        frequency,
      });
      pruneLowMagnitude(model, { schedule, structure, scope: options.scope });
      const output = options.output ?? `${file.replace(/\.keel$/, '')}-pruned.keel`;
      const { backup, interrupt } = resumableTraining(options.backupDir ?? `${output}.backup`);
      try {
        await model.fit(data.xTrain, data.yTrain, {
          epochs: options.epochs,
          batchSize: options.batchSize,
          verbose: options.json ? 0 : 'auto',
          callbacks: [new UpdatePruningStep(), backup, interrupt],
        });
      } finally {
        interrupt.detach();
      }
      stripPruning(model);
      const after = await evaluate();
      model.save(output, { includeOptimizer: true });
      removeEmptyDir(backup.backupDir);
      const report = sparsity(model);
      const result = {
        output,
        sparsity: report.sparsity,
        before,
        after,
        bytes: { before: statSync(file).size, after: statSync(output).size },
      };
      if (options.json) {
        console.log(JSON.stringify(result));
        return;
      }
      console.log(
        `Sparsity: ${(100 * report.sparsity).toFixed(1)}% of ${report.size} kernel weights`,
      );
      for (const k of Object.keys(after)) console.log(`Test ${k}: ${before[k]} -> ${after[k]}`);
      console.log(`File: ${result.bytes.before} -> ${result.bytes.after} bytes (${output})`);
    });
}
