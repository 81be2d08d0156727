/**
 * A tuning run described by a JSON file (what `keel tune config.json` runs): the build module,
 * the data module, the algorithm and its options, the objective and the budget. Module paths are
 * relative to the config file; `directory` (the study's folder) to the current directory.
 * `const result = await runTuneConfig(loadTuneConfig('tune-mnist.json'), { maxTrials: 5 })`
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DataInput } from '../models/data-adapter.js';
import type { Model } from '../models/model.js';
import { type BuildRef, isBuildRef, loadFunction } from './build-ref.js';
import type { Params } from './hyperparameters.js';
import type { Constraint, Objective, ObjectiveLike } from './objective.js';
import type { TrialRecord } from './trial.js';
import type { SearchProgress } from './tuner.js';
import { type AlgorithmName, TUNERS } from './tuners.js';

export interface TuneConfig {
  build: BuildRef;
  /** A module export returning {x, y, validationData?, testData?} (may be async). */
  data: BuildRef;
  algorithm: AlgorithmName;
  algorithmOptions?: Record<string, unknown>;
  objective: ObjectiveLike;
  constraints?: Constraint[];
  maxTrials?: number;
  maxTotalEpochs?: number;
  maxConcurrentTrials?: number;
  executionsPerTrial?: number;
  epochs?: number;
  batchSize?: number;
  samplesPerEpoch?: number;
  validationSplit?: number;
  seed?: number;
  directory?: string;
  projectName?: string;
  overwrite?: boolean;
}

export interface TuneData {
  x: DataInput;
  y: DataInput;
  validationData?: readonly [DataInput, DataInput];
  testData?: readonly [DataInput, DataInput];
}

export interface TuneResult {
  objective: string;
  /** Every objective, in order (the Pareto front's values follow it). */
  objectives: Objective[];
  best: TrialRecord | null;
  bestValue: number | null;
  bestParams: Params | null;
  /** The best model's metrics on testData, when the data module gives it. */
  test: Record<string, number> | null;
  paretoFront: TrialRecord[];
  trials: TrialRecord[];
  /** Epochs trained over all trials (and their executions). */
  epochsTrained: number;
}

const KEYS = new Set([
  '$comment',
  'build',
  'data',
  'algorithm',
  'algorithmOptions',
  'objective',
  'constraints',
  'maxTrials',
  'maxTotalEpochs',
  'maxConcurrentTrials',
  'executionsPerTrial',
  'epochs',
  'batchSize',
  'samplesPerEpoch',
  'validationSplit',
  'seed',
  'directory',
  'projectName',
  'overwrite',
]);

function bad(path: string, message: string): never {
  throw new RangeError(`tune config ${path}: ${message}`);
}

/** Reads and checks a config file; module paths become absolute. */
export function loadTuneConfig(path: string): TuneConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    bad(path, e instanceof Error ? e.message : String(e));
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    bad(path, 'expected a JSON object');
  const c = raw as Record<string, unknown>;
  const unknown = Object.keys(c).filter((k) => !KEYS.has(k));
  if (unknown.length)
    bad(path, `unknown key(s) ${unknown.join(', ')} (known: ${[...KEYS].slice(1).join(', ')})`);
  const base = dirname(resolve(path));
  const ref = (key: 'build' | 'data'): BuildRef => {
    const v = typeof c[key] === 'string' ? { module: c[key] as string } : c[key];
    if (!isBuildRef(v)) bad(path, `'${key}' must be a module path or {module, export}`);
    return { module: resolve(base, v.module), export: v.export ?? key };
  };
  const algorithm = c['algorithm'] ?? 'random';
  if (typeof algorithm !== 'string' || !Object.hasOwn(TUNERS, algorithm))
    bad(
      path,
      `'algorithm' must be one of ${Object.keys(TUNERS).join(', ')}, got ${JSON.stringify(algorithm)}`,
    );
  if (c['objective'] === undefined)
    bad(path, '\'objective\' is required (for example "val_accuracy")');
  for (const k of [
    'maxTrials',
    'maxTotalEpochs',
    'maxConcurrentTrials',
    'executionsPerTrial',
    'epochs',
    'batchSize',
    'samplesPerEpoch',
    'seed',
  ])
    if (c[k] !== undefined && (!Number.isInteger(c[k]) || (c[k] as number) < 0))
      bad(path, `'${k}' must be a non-negative integer, got ${JSON.stringify(c[k])}`);
  return {
    ...(c as unknown as TuneConfig),
    build: ref('build'),
    data: ref('data'),
    algorithm: algorithm as AlgorithmName,
  };
}

/**
 * Runs the search a config describes and scores the best model on the test data; `signal` stops
 * the search (it rejects with `SearchInterrupted`, and the study resumes on the next run);
 * `onProgress` hears every epoch and finished trial.
 */
export async function runTuneConfig(
  config: TuneConfig,
  log: (line: string) => void = console.log,
  signal?: AbortSignal,
  onProgress?: (progress: SearchProgress) => void,
): Promise<TuneResult> {
  const data = await (await loadFunction<() => TuneData | Promise<TuneData>>(config.data))();
  if (!data || data.x === undefined || data.y === undefined)
    throw new Error(
      `tune: ${config.data.module} '${config.data.export}' must return {x, y, validationData?, testData?}`,
    );
  const Tuner = TUNERS[config.algorithm];
  const tuner = new Tuner({
    ...(config.algorithmOptions ?? {}),
    build: config.build,
    objective: config.objective,
    constraints: config.constraints,
    maxTrials: config.maxTrials,
    maxTotalEpochs: config.maxTotalEpochs,
    maxConcurrentTrials: config.maxConcurrentTrials,
    executionsPerTrial: config.executionsPerTrial,
    seed: config.seed,
    directory: resolve(config.directory ?? 'keel-tuning'),
    projectName: config.projectName,
    overwrite: config.overwrite,
  } as never);
  try {
    await tuner.search(data.x, data.y, {
      epochs: config.epochs,
      batchSize: config.batchSize,
      samplesPerEpoch: config.samplesPerEpoch,
      validationSplit: config.validationSplit,
      validationData: data.validationData,
      log,
      ...(signal ? { signal } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
    const [best] = tuner.getBestTrials(1);
    let test: Record<string, number> | null = null;
    if (best && data.testData) {
      const [model] = (await tuner.getBestModels(1)) as Model[];
      test = (await model!.evaluate(data.testData[0], data.testData[1], {
        verbose: 0,
        returnDict: true,
      })) as Record<string, number>;
    }
    const trials = tuner.results();
    return {
      objective: tuner.objectives[0]!.name,
      objectives: tuner.objectives,
      best: best ?? null,
      bestValue: best?.values?.[0] ?? null,
      bestParams: best?.params ?? null,
      test,
      paretoFront: tuner.objectives.length > 1 ? tuner.paretoFront() : [],
      trials,
      epochsTrained:
        (config.executionsPerTrial ?? 1) * trials.reduce((s, t) => s + t.intermediate.length, 0),
    };
  } finally {
    tuner.close();
  }
}
