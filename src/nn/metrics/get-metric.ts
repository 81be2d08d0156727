import type { Spellings } from '../engine/serialization.js';
import { BinaryCrossentropy } from '../losses/binary-crossentropy.js';
import type { Loss } from '../losses/loss.js';
import { SparseCategoricalCrossentropy } from '../losses/sparse-categorical-crossentropy.js';
import { Accuracy } from './accuracy.js';
import { AUC } from './auc.js';
import { BinaryAccuracy } from './binary-accuracy.js';
import { CategoricalAccuracy } from './categorical-accuracy.js';
import { F1Score } from './f1-score.js';
import { FBetaScore } from './fbeta-score.js';
import { Mean } from './mean.js';
import { MeanAbsoluteError } from './mean-absolute-error.js';
import { MeanIoU } from './mean-iou.js';
import { MeanSquaredError } from './mean-squared-error.js';
import { Metric } from './metric.js';
import { Precision } from './precision.js';
import { PrecisionAtRecall } from './precision-at-recall.js';
import { R2Score } from './r2-score.js';
import { Recall } from './recall.js';
import { RecallAtPrecision } from './recall-at-precision.js';
import { RootMeanSquaredError } from './root-mean-squared-error.js';
import { SensitivityAtSpecificity } from './sensitivity-at-specificity.js';
import { SparseCategoricalAccuracy } from './sparse-categorical-accuracy.js';
import { SparseTopKCategoricalAccuracy } from './sparse-top-k-categorical-accuracy.js';
import { SpecificityAtSensitivity } from './specificity-at-sensitivity.js';
import { TopKCategoricalAccuracy } from './top-k-categorical-accuracy.js';

/** What `compile` knows when it resolves a metric name: the output's loss and shape. */
export interface MetricContext {
  loss?: Loss | null;
  /** The model output's shape, batch axis null. */
  outputShape?: readonly (number | null)[];
}

const METRICS = new Map<string, (name: string) => Metric>([
  ['auc', (name) => new AUC({ name })],
  ['binary_accuracy', (name) => new BinaryAccuracy({ name })],
  ['categorical_accuracy', (name) => new CategoricalAccuracy({ name })],
  ['mae', (name) => new MeanAbsoluteError({ name })],
  ['mean_absolute_error', (name) => new MeanAbsoluteError({ name })],
  ['mean_squared_error', (name) => new MeanSquaredError({ name })],
  ['mse', (name) => new MeanSquaredError({ name })],
  ['precision', (name) => new Precision({ name })],
  ['r2_score', (name) => new R2Score({ name })],
  ['recall', (name) => new Recall({ name })],
  ['root_mean_squared_error', (name) => new RootMeanSquaredError({ name })],
  ['sparse_categorical_accuracy', (name) => new SparseCategoricalAccuracy({ name })],
  ['sparse_top_k_categorical_accuracy', (name) => new SparseTopKCategoricalAccuracy({ name })],
  ['top_k_categorical_accuracy', (name) => new TopKCategoricalAccuracy({ name })],
]);

const BY_KEY = new Map([...METRICS].map(([name, make]) => [name.replaceAll('_', ''), make]));

/**
 * The accuracy Keras picks for 'accuracy': binary for binary crossentropy or a last axis of 1,
 * sparse categorical for sparse categorical crossentropy, categorical otherwise.
 */
function accuracyFor(name: string, context: MetricContext): Metric {
  const loss = context.loss ?? null;
  const last = context.outputShape?.at(-1);
  if (loss instanceof BinaryCrossentropy || loss?.name === 'binary_crossentropy' || last === 1)
    return new BinaryAccuracy({ name });
  if (
    loss instanceof SparseCategoricalCrossentropy ||
    loss?.name === 'sparse_categorical_crossentropy'
  )
    return new SparseCategoricalAccuracy({ name });
  return new CategoricalAccuracy({ name });
}

/**
 * A metric name `compile({ metrics })` and `getMetric` accept: 'accuracy' (or 'acc': the accuracy
 * that fits the loss), Keras's snake_case names and their camelCase and PascalCase spellings.
 */
export type MetricName =
  | Spellings<
      | 'accuracy'
      | 'acc'
      | 'auc'
      | 'binary_accuracy'
      | 'categorical_accuracy'
      | 'mae'
      | 'mean_absolute_error'
      | 'mean_squared_error'
      | 'mse'
      | 'precision'
      | 'r2_score'
      | 'recall'
      | 'root_mean_squared_error'
      | 'sparse_categorical_accuracy'
      | 'sparse_top_k_categorical_accuracy'
      | 'top_k_categorical_accuracy'
    >
  | 'AUC'
  | 'MAE'
  | 'MSE';

/** A metric as `compile` and `getMetric` take it: its name or the metric itself. */
export type MetricIdentifier = MetricName | Metric;

/**
 * A metric from its name (named as written, e.g. 'accuracy', 'mse', 'precision'; camelCase works too)
 * or the metric itself. 'accuracy'/'acc' picks the accuracy that fits the loss and output shape.
 * `getMetric('accuracy', {loss: new SparseCategoricalCrossentropy(), outputShape: [null, 10]})`
 */
export function getMetric(identifier: MetricIdentifier, context: MetricContext = {}): Metric {
  if (identifier instanceof Metric) return identifier;
  const name = String(identifier);
  const key = name.replaceAll('_', '').toLowerCase();
  if (key === 'accuracy' || key === 'acc') return accuracyFor(name, context);
  const make = BY_KEY.get(key);
  if (!make) {
    const known = ['acc', 'accuracy', ...METRICS.keys()].sort();
    throw new Error(`Unknown metric '${name}'. Known: ${known.join(', ')}`);
  }
  return make(name);
}

const CLASSES = new Map<string, new (config: never) => Metric>(
  [
    Accuracy,
    AUC,
    BinaryAccuracy,
    CategoricalAccuracy,
    F1Score,
    FBetaScore,
    Mean,
    MeanAbsoluteError,
    MeanIoU,
    MeanSquaredError,
    Precision,
    PrecisionAtRecall,
    R2Score,
    Recall,
    RecallAtPrecision,
    RootMeanSquaredError,
    SensitivityAtSpecificity,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    SpecificityAtSensitivity,
    TopKCategoricalAccuracy,
  ].map((c) => [c.className, c as unknown as new (config: never) => Metric]),
);

/**
 * A built-in metric from `{className, config}` as model files store it (`getConfig()`'s keys).
 * `deserializeMetric({className: 'AUC', config: {curve: 'PR'}})`
 */
export function deserializeMetric(value: {
  className: string;
  config: Record<string, unknown>;
}): Metric {
  const cls = CLASSES.get(value.className);
  if (!cls) {
    throw new Error(
      `Unknown metric class '${value.className}'. Known: ${[...CLASSES.keys()].join(', ')}`,
    );
  }
  const config = Object.fromEntries(
    Object.entries(value.config).filter(
      ([k, v]) => v !== null || k === 'average' || k === 'classAggregation',
    ),
  );
  return new cls(config as never);
}
