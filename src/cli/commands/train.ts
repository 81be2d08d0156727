import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import type { Model } from '../../models/model.js';
import type { Callback } from '../../nn/callbacks/callback.js';
import { setSeed } from '../../random/rng.js';
import { UsageError } from '../errors.js';
import { removeEmptyDir, resumableTraining } from '../interrupt.js';
import { checkInputShape, intOption } from '../options.js';
import { printScores, scoreNames } from '../scores.js';
import { trainingCallbacks } from '../tracking-hooks.js';
import { buildSequential } from '../train-config/build-model.js';
import { readTrainConfig, type TrainConfig } from '../train-config/config.js';
import { loadData } from '../train-config/load-data.js';
import { isModelModule, loadModelModule } from '../train-config/model-module.js';

interface TrainOptions {
  epochs?: number;
  batchSize?: number;
  output?: string;
  seed?: number;
  limit?: number;
  backupDir?: string;
  verbose?: number;
  json?: boolean;
  trackingDir?: string;
  track?: boolean;
  tag?: string[];
}

function compileFromConfig(model: Model, config: TrainConfig, source: string): void {
  try {
    model.compile({
      optimizer: config.compile.optimizer as Parameters<Model['compile']>[0]['optimizer'],
      loss: config.compile.loss as Parameters<Model['compile']>[0]['loss'],
      metrics: config.compile.metrics as Parameters<Model['compile']>[0]['metrics'],
    });
  } catch (e) {
    throw new UsageError(`${source}: compile: ${(e as Error).message}`);
  }
}

/** `keel train CONFIG`: builds, trains, evaluates and saves the model a config describes. */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description(
      'Train the model a JSON/YAML config or a model module describes, evaluate it on the test set and save it.',
    )
    .argument(
      '<config>',
      'a training config (.json, .yaml or .yml) or a module (.ts, .js, .mjs) exporting model and config',
    )
    .option('--epochs <n>', 'override fit.epochs', intOption('--epochs'))
    .option('--batch-size <n>', 'override fit.batchSize', intOption('--batch-size', 1))
    .option(
      '-o, --output <file>',
      'the model file to write (default: output of the config, or <name>.keel)',
    )
    .option('--seed <n>', 'seed every random choice (overrides the config)', intOption('--seed'))
    .option('--limit <n>', 'train on at most n samples (quick runs)', intOption('--limit', 1))
    .option('--backup-dir <dir>', 'where the resumable checkpoint lives (default <output>.backup)')
    .option(
      '--verbose <n>',
      '0 silent, 1 progress bar, 2 one line per epoch',
      intOption('--verbose'),
    )
    .option(
      '--tracking-dir <dir>',
      'record the run in this tracking store (default $KEEL_TRACKING_DIR)',
    )
    .option('--no-track', 'do not record the run even when KEEL_TRACKING_DIR is set')
    .option('--tag <tag...>', 'tags of the tracked run')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ keel train examples/configs/mnist-cnn.json
  $ keel train examples/configs/mnist-cnn.json --epochs 1 --limit 2000 -o quick.keel
  $ keel train my-config.yaml --tracking-dir runs --tag baseline
  $ keel train examples/configs/mnist-cnn.model.ts --epochs 1 --limit 2000

Ctrl-C saves a checkpoint and exits with code 130; the same command resumes from it.`,
    )
    .action(async (file: string, options: TrainOptions) => {
      const module = isModelModule(file) ? await loadModelModule(file) : null;
      const config = module ? module.config : readTrainConfig(file);
      const name = config.name ?? basename(file, extname(file));
      const output = options.output ?? config.output ?? `${name}.keel`;
      const seed = options.seed ?? config.seed;
      if (seed !== undefined) setSeed(seed);
      const model = module
        ? module.model()
        : buildSequential(config.model.layers, file, config.model.name);
      // A module that compiles its model names the loss there (the labels' encoding follows it).
      const loss = module?.compiledInModule
        ? (model.compiled!.losses.find((l) => l !== null)?.name ?? '')
        : config.compile.loss;
      const data = await loadData(
        { ...config.data, limit: options.limit ?? config.data.limit },
        loss,
      );
      checkInputShape(model, data.xTrain, file);
      if (!module?.compiledInModule) compileFromConfig(model, config, file);
      const fit = config.fit ?? {};
      const epochs = options.epochs ?? fit.epochs ?? 1;
      const batchSize = options.batchSize ?? fit.batchSize ?? 32;
      const { backup, interrupt } = resumableTraining(options.backupDir ?? `${output}.backup`);
      const tracked = trainingCallbacks({
        config,
        configPath: file,
        data,
        seed,
        dir: options.track === false ? false : options.trackingDir,
        tags: options.tag ?? [],
        checkpoints: [backup.path],
      });
      const callbacks: Callback[] = [backup, interrupt, ...tracked.callbacks];
      const verbose = options.verbose ?? (options.json ? 0 : (fit.verbose ?? 'auto'));
      const started = performance.now();
      try {
        await model.fit(data.xTrain, data.yTrain, {
          epochs,
          batchSize,
          validationSplit: fit.validationSplit,
          shuffle: fit.shuffle,
          verbose,
          callbacks,
        });
      } catch (e) {
        interrupt.detach();
        tracked.failed(e);
        throw e;
      }
      const seconds = (performance.now() - started) / 1000;
      const evaluated = await model.evaluate(data.xTest, data.yTest, { batchSize, verbose: 0 });
      const scores = Array.isArray(evaluated) ? evaluated : [evaluated as number];
      const names = scoreNames(model, scores.length);
      model.save(output, { includeOptimizer: true });
      removeEmptyDir(backup.backupDir);
      await tracked.finished(
        model,
        data,
        Object.fromEntries(names.map((n, i) => [`test_${n}`, scores[i]!])),
        output,
      );
      if (options.json) {
        console.log(
          JSON.stringify({
            output,
            epochs,
            seconds,
            test: Object.fromEntries(names.map((n, i) => [n, scores[i]])),
            runId: tracked.runId,
          }),
        );
      } else {
        printScores(names, scores);
        console.log(`Saved ${output}`);
      }
    });
}
