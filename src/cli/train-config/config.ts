/**
 * The training config of `keel train`: a JSON or YAML file with the model (Keras-style layers),
 * the data, and the compile and fit options. Every key is checked; an unknown one is an error
 * naming it with the closest known key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { suggestion } from '../../utils/suggest.js';
import { UsageError } from '../errors.js';

export interface LayerSpec {
  className: string;
  config?: Record<string, unknown>;
}

/** Where the samples come from: a builtin dataset, a CSV file, or a folder of class sub-folders. */
export interface DataSpec {
  /** 'mnist', 'spam' or 'moby-dick'. */
  dataset?: string;
  csv?: string;
  /** The CSV column holding the label. */
  label?: string;
  images?: string;
  /** [height, width] every image is resized to. */
  imageSize?: [number, number];
  channels?: 1 | 3;
  /** Multiplies image pixels (0..255) by this (default 1/255). */
  scale?: number;
  /** A separate test file or folder (CSV or images); otherwise `testSplit` of the samples. */
  test?: string;
  /** Fraction of the samples, from the end, held out as the test set (default 0.2). */
  testSplit?: number;
  /** Use at most this many training samples (quick runs). */
  limit?: number;
  /** Use at most this many test samples. */
  testLimit?: number;
  /** 'categorical' (one-hot) or 'int' labels; default from the loss. */
  labels?: 'categorical' | 'int';
  /** spam: vocabulary size and sequence length; moby-dick: sequence length. */
  vocabSize?: number;
  maxlen?: number;
}

export interface TrainConfig {
  name?: string;
  seed?: number;
  model: { layers: LayerSpec[]; name?: string };
  data: DataSpec;
  compile: { optimizer: string | Record<string, unknown>; loss: string; metrics?: string[] };
  fit?: {
    epochs?: number;
    batchSize?: number;
    validationSplit?: number;
    shuffle?: boolean;
    verbose?: number;
  };
  /** The model file written at the end (default: the config's name + '.keel'). */
  output?: string;
}

/** The keys each section of a training config may have ('' is the top level). */
export const CONFIG_KEYS = {
  '': ['name', 'seed', 'model', 'data', 'compile', 'fit', 'output'],
  model: ['layers', 'name'],
  data: [
    'dataset',
    'csv',
    'label',
    'images',
    'imageSize',
    'channels',
    'scale',
    'test',
    'testSplit',
    'limit',
    'testLimit',
    'labels',
    'vocabSize',
    'maxlen',
  ],
  compile: ['optimizer', 'loss', 'metrics'],
  fit: ['epochs', 'batchSize', 'validationSplit', 'shuffle', 'verbose'],
} as const satisfies Record<string, readonly string[]>;

/** Throws a UsageError naming `where.key` (with a suggestion) for each key not in `known`. */
export function checkKeys(
  source: string,
  where: string,
  value: unknown,
  known: readonly string[],
): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`${source}: '${where || 'the config'}' must be an object`);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new UsageError(
        `${source}: unknown key '${where ? `${where}.` : ''}${key}'${suggestion(key, known)}`,
      );
    }
  }
}

/** Parses a JSON or YAML config file (by its extension); a missing or malformed file is a UsageError. */
export function readConfigFile(path: string): unknown {
  if (!existsSync(path)) throw new UsageError(`no such config file: ${path}`);
  const text = readFileSync(path, 'utf8');
  try {
    return ['.yaml', '.yml'].includes(extname(path).toLowerCase())
      ? parseYaml(text)
      : JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path}: not valid ${extname(path).slice(1)}: ${(e as Error).message}`);
  }
}

/** Reads and checks a training config (.json, .yaml or .yml). */
export function readTrainConfig(path: string): TrainConfig {
  return checkTrainConfig(readConfigFile(path), path);
}

/**
 * Checks the sections a training config shares with other configs (`keel distill`'s): each
 * present section's keys, `required` ones present, `modelSection.layers` a list of layer specs,
 * compile's optimizer and loss, exactly one data source.
 */
export function checkSections(
  source: string,
  config: Record<string, unknown>,
  required: readonly string[],
  modelSection = 'model',
): void {
  const known: Record<string, readonly string[]> = {
    ...CONFIG_KEYS,
    [modelSection]: CONFIG_KEYS.model,
  };
  for (const section of [modelSection, 'data', 'compile', 'fit']) {
    if (config[section] === undefined) {
      if (!required.includes(section)) continue;
      throw new UsageError(`${source}: the config needs a '${section}' section`);
    }
    checkKeys(source, section, config[section], known[section]!);
  }
  const layers = (config[modelSection] as Record<string, unknown>)['layers'];
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new UsageError(`${source}: '${modelSection}.layers' must be a non-empty list of layers`);
  }
  for (const [i, l] of layers.entries()) {
    checkKeys(source, `${modelSection}.layers[${i}]`, l, ['className', 'config']);
  }
  const compile = config['compile'] as Record<string, unknown> | undefined;
  if (compile && (compile['optimizer'] === undefined || typeof compile['loss'] !== 'string')) {
    throw new UsageError(`${source}: 'compile' needs an optimizer and a loss (a string)`);
  }
  const data = config['data'] as DataSpec;
  const kinds = ['dataset', 'csv', 'images'].filter((k) => data[k as keyof DataSpec] !== undefined);
  if (kinds.length !== 1) {
    throw new UsageError(
      `${source}: 'data' needs exactly one of 'dataset', 'csv' or 'images', got ${kinds.length ? kinds.join(' and ') : 'none'}`,
    );
  }
}

/** Checks a parsed config: known keys only, the required sections present, layers well formed. */
export function checkTrainConfig(raw: unknown, source: string): TrainConfig {
  checkKeys(source, '', raw, CONFIG_KEYS['']);
  checkSections(source, raw as Record<string, unknown>, ['model', 'data', 'compile']);
  return raw as unknown as TrainConfig;
}
