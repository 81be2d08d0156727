import type { Spellings } from '../engine/serialization.js';
import { BinaryCrossentropy } from './binary-crossentropy.js';
import { BinaryFocalCrossentropy } from './binary-focal-crossentropy.js';
import { CategoricalCrossentropy } from './categorical-crossentropy.js';
import { CategoricalFocalCrossentropy } from './categorical-focal-crossentropy.js';
import { CategoricalHinge } from './categorical-hinge.js';
import { CosineSimilarity } from './cosine-similarity.js';
import { CTC } from './ctc.js';
import { Hinge } from './hinge.js';
import { Huber } from './huber.js';
import { KLDivergence } from './kl-divergence.js';
import { LogCosh } from './log-cosh.js';
import { Loss } from './loss.js';
import { MeanAbsoluteError } from './mean-absolute-error.js';
import { MeanAbsolutePercentageError } from './mean-absolute-percentage-error.js';
import { MeanSquaredError } from './mean-squared-error.js';
import { MeanSquaredLogarithmicError } from './mean-squared-logarithmic-error.js';
import { Poisson } from './poisson.js';
import { SparseCategoricalCrossentropy } from './sparse-categorical-crossentropy.js';
import { SquaredHinge } from './squared-hinge.js';

/** Keras's loss names; camelCase and PascalCase spellings resolve to the same entries. */
const LOSSES = new Map<string, () => Loss>([
  ['binary_crossentropy', () => new BinaryCrossentropy()],
  ['binary_focal_crossentropy', () => new BinaryFocalCrossentropy()],
  ['categorical_crossentropy', () => new CategoricalCrossentropy()],
  ['categorical_focal_crossentropy', () => new CategoricalFocalCrossentropy()],
  ['categorical_hinge', () => new CategoricalHinge()],
  ['cosine_similarity', () => new CosineSimilarity()],
  ['ctc', () => new CTC()],
  ['hinge', () => new Hinge()],
  ['huber', () => new Huber()],
  ['kl_divergence', () => new KLDivergence()],
  ['kld', () => new KLDivergence()],
  ['kullback_leibler_divergence', () => new KLDivergence()],
  ['log_cosh', () => new LogCosh()],
  ['logcosh', () => new LogCosh()],
  ['mae', () => new MeanAbsoluteError()],
  ['mape', () => new MeanAbsolutePercentageError()],
  ['mean_absolute_error', () => new MeanAbsoluteError()],
  ['mean_absolute_percentage_error', () => new MeanAbsolutePercentageError()],
  ['mean_squared_error', () => new MeanSquaredError()],
  ['mean_squared_logarithmic_error', () => new MeanSquaredLogarithmicError()],
  ['mse', () => new MeanSquaredError()],
  ['msle', () => new MeanSquaredLogarithmicError()],
  ['poisson', () => new Poisson()],
  ['sparse_categorical_crossentropy', () => new SparseCategoricalCrossentropy()],
  ['squared_hinge', () => new SquaredHinge()],
]);

const BY_KEY = new Map([...LOSSES].map(([name, make]) => [name.replaceAll('_', ''), make]));

/**
 * A loss name `compile({ loss })` and `getLoss` accept: Keras's snake_case names and their camelCase
 * and PascalCase spellings ('categorical_crossentropy', 'categoricalCrossentropy', 'mse', 'MSE').
 */
export type LossName =
  | Spellings<
      | 'binary_crossentropy'
      | 'binary_focal_crossentropy'
      | 'categorical_crossentropy'
      | 'categorical_focal_crossentropy'
      | 'ctc'
      | 'huber'
      | 'huber_loss'
      | 'kl_divergence'
      | 'kld'
      | 'kullback_leibler_divergence'
      | 'mae'
      | 'mean_absolute_error'
      | 'mean_squared_error'
      | 'mse'
      | 'sparse_categorical_crossentropy'
      | 'categorical_hinge'
      | 'cosine_similarity'
      | 'hinge'
      | 'log_cosh'
      | 'logcosh'
      | 'mape'
      | 'mean_absolute_percentage_error'
      | 'mean_squared_logarithmic_error'
      | 'msle'
      | 'poisson'
      | 'squared_hinge'
    >
  | 'KLDivergence'
  | 'CTC'
  | 'MAE'
  | 'MSE'
  | 'MAPE'
  | 'MSLE';

/** A loss as `compile` and `getLoss` take it: its name or the loss itself. */
export type LossIdentifier = LossName | Loss;

/**
 * A loss from its Keras name ('categorical_crossentropy', 'mse', ...; also camelCase such as
 * 'sparseCategoricalCrossentropy') or the loss itself. `getLoss('mse')`
 */
export function getLoss(identifier: LossIdentifier): Loss {
  if (identifier instanceof Loss) return identifier;
  const key = String(identifier).replaceAll('_', '').toLowerCase();
  const make = BY_KEY.get(key) ?? (key === 'huberloss' ? BY_KEY.get('huber') : undefined);
  if (!make) {
    throw new Error(`Unknown loss '${identifier}'. Known: ${[...LOSSES.keys()].join(', ')}`);
  }
  return make();
}

const CLASSES = new Map<string, new (config: Record<string, unknown>) => Loss>(
  [
    BinaryCrossentropy,
    CategoricalCrossentropy,
    Huber,
    KLDivergence,
    MeanAbsoluteError,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    LogCosh,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    Poisson,
    SquaredHinge,
    BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy,
    CTC,
  ].map((c) => [c.className, c as unknown as new (config: Record<string, unknown>) => Loss]),
);

/** A built-in loss from `{className, config}` as model files store it (`getConfig()`'s keys). */
export function deserializeLoss(value: {
  className: string;
  config: Record<string, unknown>;
}): Loss {
  const cls = CLASSES.get(value.className);
  if (!cls) {
    throw new Error(
      `Unknown loss class '${value.className}'. Known: ${[...CLASSES.keys()].join(', ')}`,
    );
  }
  const config = Object.fromEntries(Object.entries(value.config).filter(([, v]) => v !== null));
  return new cls(config);
}
