import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import { Distiller } from '../../compress/distill/distiller.js';
import type { CompileArgs } from '../../models/compile.js';
import type { Model } from '../../models/model.js';
import type { LossName } from '../../nn/losses/get-loss.js';
import { setSeed } from '../../random/rng.js';
import { compressionSummary, printCompressionSummary } from '../compression.js';
import { UsageError } from '../errors.js';
import { removeEmptyDir, resumableTraining } from '../interrupt.js';
import { openModel } from '../model-files.js';
import { checkInputShape, intOption, numberOption } from '../options.js';
import { buildSequential } from '../train-config/build-model.js';
import { type DistillConfig, readDistillConfig } from '../train-config/distill-config.js';
import { loadData } from '../train-config/load-data.js';

interface DistillOptions {
  teacher?: string;
  temperature?: number;
  alpha?: number;
  epochs?: number;
  batchSize?: number;
  output?: string;
  seed?: number;
  limit?: number;
  backupDir?: string;
  verbose?: number;
  json?: boolean;
}

/** The student's compile settings: the config's, else Adam with the teacher's saved loss and metrics. */
function studentCompile(
  config: DistillConfig,
  teacher: Model,
  teacherFile: string,
  source: string,
) {
  if (config.compile) return config.compile;
  const c = teacher.compiled;
  const loss = c?.losses[0]?.name;
  if (!c || !loss || c.losses.length !== 1)
    throw new UsageError(
      `${source}: the config has no 'compile' section and ${teacherFile} has no single saved loss to copy; add compile: {optimizer, loss, metrics}`,
    );
  return {
    optimizer: 'adam',
    loss,
    metrics: (c.metricSpecs[0] ?? []).filter((m) => typeof m === 'string'),
  };
}

/**
 * `keel distill CONFIG`: Hinton et al.'s knowledge distillation (`compress.Distiller`) of a trained
 * teacher file into the student the config describes; prints the teacher's and the student's
 * test scores, sizes and latency (the compression report) and saves the student.
 */
export function registerDistill(program: Command): void {
  program
    .command('distill')
    .description(
      'Distill a trained teacher model into the smaller student a JSON/YAML config describes, and save the student.',
    )
    .argument(
      '<config>',
      'a config (.json, .yaml or .yml): teacher (a model file), student (layers), data, compile, distill, fit, output',
    )
    .option('--teacher <file>', 'override the config: the teacher model file')
    .option(
      '--temperature <t>',
      'override distill.temperature: the softmax temperature',
      numberOption('--temperature', 1e-6, 1e6),
    )
    .option(
      '--alpha <a>',
      "override distill.alpha: the student loss' weight (the soft term gets 1 - alpha)",
      numberOption('--alpha', 0, 1),
    )
    .option('--epochs <n>', 'override fit.epochs', intOption('--epochs', 1))
    .option('--batch-size <n>', 'override fit.batchSize', intOption('--batch-size', 1))
    .option('-o, --output <file>', 'the student model file (default: output of the config)')
    .option('--seed <n>', 'seed every random choice (overrides the config)', intOption('--seed'))
    .option('--limit <n>', 'train on at most n samples (quick runs)', intOption('--limit', 1))
    .option('--backup-dir <dir>', 'where the resumable checkpoint lives (default <output>.backup)')
    .option(
      '--verbose <n>',
      '0 silent, 1 progress bar, 2 one line per epoch',
      intOption('--verbose'),
    )
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
A config (JSON shown; YAML alike):
  { "teacher": "mnist-cnn.keel",
    "student": { "layers": [{ "className": "Flatten", "config": { "inputShape": [28, 28, 1] } },
                            { "className": "Dense", "config": { "units": 10, "activation": "softmax" } }] },
    "data": { "dataset": "mnist" },
    "compile": { "optimizer": "adam", "loss": "categorical_crossentropy", "metrics": ["accuracy"] },
    "distill": { "temperature": 4, "alpha": 0.1, "teacherOutputs": "cached" },
    "fit": { "epochs": 5, "batchSize": 32 },
    "output": "student.keel" }
Without compile the student gets Adam and the teacher's saved loss and metrics.

Examples:
  $ keel distill examples/configs/distill-mnist.json
  $ keel distill my-distill.yaml --temperature 2 --alpha 0.5 --epochs 3 -o small.keel --json

Ctrl-C saves a checkpoint and exits with code 130; the same command resumes from it.`,
    )
    .action(async (file: string, options: DistillOptions) => {
      const config = readDistillConfig(file);
      const teacherFile = options.teacher ?? config.teacher;
      const name = config.name ?? basename(file, extname(file));
      const output = options.output ?? config.output ?? `${name}.keel`;
      const seed = options.seed ?? config.seed;
      if (seed !== undefined) setSeed(seed);
      const teacher = openModel(teacherFile);
      const student = buildSequential(config.student.layers, file, config.student.name, 'student');
      const compile = studentCompile(config, teacher, teacherFile, file);
      const data = await loadData(
        { ...config.data, limit: options.limit ?? config.data.limit },
        compile.loss,
      );
      checkInputShape(teacher, data.xTrain, teacherFile);
      checkInputShape(student, data.xTrain, `${file}: student`);
      let distiller: Distiller;
      try {
        distiller = new Distiller({ teacher, student });
        distiller.compile({
          optimizer: compile.optimizer as CompileArgs['optimizer'],
          studentLoss: compile.loss as LossName, // validated by compile
          metrics: compile.metrics as CompileArgs['metrics'],
          temperature: options.temperature ?? config.distill?.temperature,
          alpha: options.alpha ?? config.distill?.alpha,
          teacherOutputs: config.distill?.teacherOutputs,
        });
      } catch (e) {
        throw new UsageError(`${file}: ${(e as Error).message}`);
      }
      const fit = config.fit ?? {};
      const { backup, interrupt } = resumableTraining(options.backupDir ?? `${output}.backup`);
      try {
        await distiller.fit(data.xTrain, data.yTrain, {
          epochs: options.epochs ?? fit.epochs ?? 1,
          batchSize: options.batchSize ?? fit.batchSize ?? 32,
          validationSplit: fit.validationSplit,
          shuffle: fit.shuffle,
          verbose: options.verbose ?? (options.json ? 0 : (fit.verbose ?? 'auto')),
          callbacks: [backup, interrupt],
        });
      } finally {
        interrupt.detach();
      }
      // The student alone, compiled as it was trained, so its file evaluates with `keel evaluate`.
      student.compile({
        optimizer: compile.optimizer as CompileArgs['optimizer'],
        loss: compile.loss as CompileArgs['loss'],
        metrics: compile.metrics as CompileArgs['metrics'],
      });
      const summary = await compressionSummary(teacherFile, teacher, student, output, data);
      removeEmptyDir(backup.backupDir);
      if (options.json) {
        console.log(JSON.stringify({ ...summary, teacher: teacherFile }));
        return;
      }
      printCompressionSummary(teacherFile, summary);
      console.log(`Saved ${output}`);
    });
}
