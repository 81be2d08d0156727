import type { Model } from '../../models/model.js';
import { Adadelta } from '../../nn/optimizers/adadelta.js';
import { Adafactor } from '../../nn/optimizers/adafactor.js';
import { Adagrad } from '../../nn/optimizers/adagrad.js';
import { Adam } from '../../nn/optimizers/adam.js';
import { Adamax } from '../../nn/optimizers/adamax.js';
import { AdamW } from '../../nn/optimizers/adamw.js';
import { Ftrl } from '../../nn/optimizers/ftrl.js';
import { Lion } from '../../nn/optimizers/lion.js';
import { Nadam } from '../../nn/optimizers/nadam.js';
import type { Optimizer } from '../../nn/optimizers/optimizer.js';
import { RMSprop } from '../../nn/optimizers/rmsprop.js';
import { SGD } from '../../nn/optimizers/sgd.js';
import type { LearningRateSchedule } from '../../nn/schedules/schedule.js';
import { deserializeSchedule } from '../../nn/schedules/serialize.js';
import type { Tensor } from '../../tensor/tensor.js';
import { isJsonObject } from '../../utils/json-guard.js';

/** How the optimizer is written in a model file's metadata; slot tensors are stored beside the weights. */
export interface OptimizerRecord {
  className: string;
  config: Record<string, unknown>;
  iterations: number;
  /** The learning rate when saved (used when a schedule cannot be rebuilt). */
  learningRate: number;
  /** Calls since the last update when accumulating gradients (absent in older files: 0). */
  accumulationStep?: number;
  /** `excludeFromWeightDecay`'s settings, variables as indices into model.weights (absent: none). */
  weightDecayExclusions?: { weights: number[]; varNames: string[]; belowRank: number };
  /** One entry per slot: index into model.weights, slot name, tensor key in the file. */
  slots: { weight: number; name: string; key: string }[];
}

const OPTIMIZERS: Record<string, new (args: Record<string, unknown>) => Optimizer> = {
  Adadelta: Adadelta as never,
  Adafactor: Adafactor as never,
  Adagrad: Adagrad as never,
  Adam: Adam as never,
  Adamax: Adamax as never,
  AdamW: AdamW as never,
  Ftrl: Ftrl as never,
  Lion: Lion as never,
  Nadam: Nadam as never,
  RMSprop: RMSprop as never,
  SGD: SGD as never,
};

/** The optimizer's record and its slot tensors (`optimizer/<i>/<slot>`), keyed to the model's weights. */
export function encodeOptimizer(
  model: Model,
  optimizer: Optimizer,
): { record: OptimizerRecord; entries: [string, Tensor][] } {
  const index = new Map(model.weights.map((w, i) => [w, i]));
  const entries: [string, Tensor][] = [];
  const slots: OptimizerRecord['slots'] = [];
  for (const [variable, name, slot] of optimizer.slotEntries()) {
    const weight = index.get(variable);
    if (weight === undefined) continue; // a slot of a variable outside this model
    const key = `optimizer/${weight}/${name}`;
    slots.push({ weight, name, key });
    entries.push([key, slot]);
  }
  const exclusions = optimizer.weightDecayExclusions();
  const record: OptimizerRecord = {
    className: (optimizer.constructor as typeof Optimizer).className,
    config: optimizer.getConfig(),
    iterations: optimizer.iterations,
    learningRate: optimizer.learningRate,
    accumulationStep: optimizer.accumulationStep,
    weightDecayExclusions: {
      weights: exclusions.variables.flatMap((v) => index.get(v) ?? []),
      varNames: exclusions.varNames,
      belowRank: exclusions.belowRank,
    },
    slots,
  };
  return { record, entries };
}

/**
 * Rebuilds an optimizer of a known class from its record. A built-in schedule is rebuilt and
 * resumes at the saved `iterations`; a schedule Keel cannot rebuild (a user's own class, or a file
 * from before schedules were saved) becomes the rate it had when saved.
 */
export function optimizerFromRecord(record: OptimizerRecord, source: string): Optimizer {
  const cls = Object.hasOwn(OPTIMIZERS, record.className)
    ? OPTIMIZERS[record.className]
    : undefined;
  if (!cls) {
    throw new Error(
      `${source}: unknown optimizer class '${record.className}'; known: ${Object.keys(OPTIMIZERS).join(', ')}`,
    );
  }
  const config = { ...record.config };
  if (typeof config['learningRate'] !== 'number') {
    let schedule: LearningRateSchedule | null;
    try {
      schedule = deserializeSchedule(config['learningRate']);
    } catch (e) {
      throw new Error(
        `${source}: cannot rebuild the learning-rate schedule: ${(e as Error).message}`,
      );
    }
    config['learningRate'] = schedule ?? record.learningRate;
  }
  for (const k of Object.keys(config)) if (config[k] === null) delete config[k];
  try {
    return new cls(config);
  } catch (e) {
    throw new Error(`${source}: cannot rebuild the optimizer: ${(e as Error).message}`);
  }
}

/** Validates the optimizer record read from a file. */
export function checkOptimizerRecord(value: unknown, source: string): OptimizerRecord {
  const bad = (what: string) => new Error(`${source}: optimizer state: ${what}`);
  if (!isJsonObject(value)) throw bad('must be an object');
  if (typeof value['className'] !== 'string') throw bad('className must be a string');
  if (!isJsonObject(value['config'])) throw bad('config must be an object');
  const it = value['iterations'];
  if (!Number.isSafeInteger(it) || (it as number) < 0)
    throw bad('iterations must be an integer >= 0');
  if (typeof value['learningRate'] !== 'number') throw bad('learningRate must be a number');
  const step = value['accumulationStep'];
  if (step !== undefined && (!Number.isSafeInteger(step) || (step as number) < 0))
    throw bad('accumulationStep must be an integer >= 0');
  const slots = value['slots'];
  if (
    !Array.isArray(slots) ||
    !slots.every(
      (s) =>
        isJsonObject(s) &&
        Number.isSafeInteger(s['weight']) &&
        typeof s['name'] === 'string' &&
        typeof s['key'] === 'string',
    )
  ) {
    throw bad('slots must be a list of {weight, name, key}');
  }
  const ex = value['weightDecayExclusions'];
  if (
    ex !== undefined &&
    !(
      isJsonObject(ex) &&
      Array.isArray(ex['weights']) &&
      ex['weights'].every((i) => Number.isSafeInteger(i) && i >= 0) &&
      Array.isArray(ex['varNames']) &&
      ex['varNames'].every((n) => typeof n === 'string') &&
      Number.isSafeInteger(ex['belowRank'])
    )
  ) {
    throw bad('weightDecayExclusions must be {weights: integers, varNames: strings, belowRank}');
  }
  return value as unknown as OptimizerRecord;
}

/** Writes a record's iterations and slot values into `optimizer` for `model`'s weights. */
export function restoreOptimizer(
  model: Model,
  optimizer: Optimizer,
  record: OptimizerRecord,
  tensors: ReadonlyMap<string, Tensor>,
  source: string,
): void {
  const weights = model.weights;
  for (const s of record.slots) {
    const w = weights[s.weight];
    const t = tensors.get(s.key);
    if (!w)
      throw new Error(
        `${source}: optimizer slot '${s.key}' refers to weight ${s.weight}, the model has ${weights.length}`,
      );
    if (!t) throw new Error(`${source}: optimizer slot tensor '${s.key}' is missing`);
    const want = optimizer.slotShape(w, s.name);
    if (
      t.dtype !== w.dtype ||
      t.shape.length !== want.length ||
      t.shape.some((d, i) => d !== want[i])
    ) {
      throw new Error(
        `${source}: optimizer slot '${s.key}' is ${t.dtype} [${t.shape}], slot '${s.name}' of weight '${w.name}' (${w.dtype} [${w.shape}]) must be [${want}]`,
      );
    }
    optimizer.setSlot(w, s.name, t);
  }
  const ex = record.weightDecayExclusions;
  if (ex) {
    const variables = ex.weights.map((i) => {
      const w = weights[i];
      if (!w)
        throw new Error(
          `${source}: optimizer state: weight-decay exclusion ${i} is not a weight (the model has ${weights.length})`,
        );
      return w;
    });
    optimizer.excludeFromWeightDecay({ variables, varNames: ex.varNames, belowRank: ex.belowRank });
  }
  optimizer.iterations = record.iterations;
  const n = optimizer.gradientAccumulationSteps ?? 1;
  const step = record.accumulationStep ?? 0;
  if (step >= n)
    throw new Error(
      `${source}: optimizer state: accumulationStep ${step} is not below gradientAccumulationSteps ${n}`,
    );
  optimizer.accumulationStep = step;
  // A fixed rate may have been changed after construction (ReduceLROnPlateau); a rebuilt schedule
  // follows `iterations` by itself.
  if (typeof record.config['learningRate'] === 'number')
    optimizer.learningRate = record.learningRate;
}
