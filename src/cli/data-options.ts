/**
 * The data options shared by evaluate, inspect-data and prune: a training config's data, a builtin
 * dataset, a CSV file with a label column, or a folder of class sub-folders of images.
 */
import type { Command } from 'commander';
import { UsageError } from './errors.js';
import { intOption } from './options.js';
import { type DataSpec, readTrainConfig } from './train-config/config.js';
import { type LoadedData, loadData } from './train-config/load-data.js';
import { isModelModule, loadModelModule } from './train-config/model-module.js';

export interface DataOptions {
  config?: string;
  dataset?: string;
  csv?: string;
  label?: string;
  images?: string;
  imageSize?: string;
  channels?: string;
  limit?: number;
}

/** Adds --config, --dataset, --csv/--label, --images/--image-size/--channels and --limit. */
export function addDataOptions(command: Command): Command {
  return command
    .option(
      '--config <file>',
      'the data section of a training config or model module (its test set for evaluation)',
    )
    .option('--dataset <name>', 'a builtin dataset: mnist, spam or moby-dick')
    .option('--csv <file>', 'a CSV file of numeric features with a label column')
    .option('--label <column>', 'the label column of --csv')
    .option('--images <dir>', 'a folder with one sub-folder of PNG/JPEG images per class')
    .option('--image-size <h,w>', 'resize images to h,w')
    .option('--channels <n>', 'image channels: 1 (default) or 3')
    .option('--limit <n>', 'use at most n samples', intOption('--limit', 1));
}

/** The data options given (of --config, --dataset, --csv, --images), by name. */
export function givenDataOptions(options: DataOptions): string[] {
  return ['config', 'dataset', 'csv', 'images'].filter(
    (k) => options[k as keyof DataOptions] !== undefined,
  );
}

/**
 * The data the options name. `whole`: a CSV file or image folder is used whole as the test set
 * (evaluation); otherwise it is split as `keel train` splits it.
 */
export async function dataFromOptions(
  options: DataOptions,
  loss: string,
  whole: boolean,
): Promise<LoadedData> {
  const given = givenDataOptions(options);
  if (given.length !== 1) {
    throw new UsageError(
      `give the data with exactly one of --config, --dataset, --csv or --images${given.length ? ` (got ${given.map((g) => `--${g}`).join(' and ')})` : ''}`,
    );
  }
  let spec: DataSpec;
  if (options.config) {
    const config = isModelModule(options.config)
      ? (await loadModelModule(options.config)).config
      : readTrainConfig(options.config);
    spec = config.data;
  } else if (options.dataset) {
    spec = { dataset: options.dataset };
  } else if (options.csv) {
    spec = { csv: options.csv, label: options.label, ...(whole ? { test: options.csv } : {}) };
  } else {
    const size = options.imageSize?.split(',').map(Number);
    if (size && (size.length !== 2 || !size.every((d) => Number.isInteger(d) && d > 0))) {
      throw new UsageError(
        `--image-size needs two positive integers h,w, got '${options.imageSize}'`,
      );
    }
    const channels = options.channels === undefined ? undefined : Number(options.channels);
    if (channels !== undefined && channels !== 1 && channels !== 3) {
      throw new UsageError(`--channels must be 1 or 3, got '${options.channels}'`);
    }
    spec = {
      images: options.images,
      ...(size ? { imageSize: size as [number, number] } : {}),
      ...(channels ? { channels } : {}),
      ...(whole ? { test: options.images } : {}),
    };
  }
  const limits =
    options.limit === undefined ? {} : { limit: options.limit, testLimit: options.limit };
  return loadData({ ...spec, ...limits }, loss);
}
