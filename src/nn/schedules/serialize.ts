import { CosineDecay } from './cosine-decay.js';
import { CosineDecayRestarts } from './cosine-decay-restarts.js';
import { ExponentialDecay } from './exponential-decay.js';
import { InverseTimeDecay } from './inverse-time-decay.js';
import { PiecewiseConstantDecay } from './piecewise-constant-decay.js';
import { PolynomialDecay } from './polynomial-decay.js';
import type { LearningRateSchedule } from './schedule.js';

/** A schedule as it is saved in an optimizer's config (Keras writes {class_name, config}). */
export interface SerializedSchedule {
  className: string;
  config: Record<string, unknown>;
}

const SCHEDULES: Record<string, (config: Record<string, unknown>) => LearningRateSchedule> = {
  CosineDecay: (c) => new CosineDecay(c as never),
  CosineDecayRestarts: (c) => new CosineDecayRestarts(c as never),
  ExponentialDecay: (c) => new ExponentialDecay(c as never),
  InverseTimeDecay: (c) => new InverseTimeDecay(c as never),
  PiecewiseConstantDecay: (c) =>
    new PiecewiseConstantDecay(c['boundaries'] as number[], c['values'] as number[]),
  PolynomialDecay: (c) => new PolynomialDecay(c as never),
};

/** `{className, config}` of a built-in schedule, so that a saved optimizer resumes its schedule. */
export function serializeSchedule(schedule: LearningRateSchedule): SerializedSchedule {
  const className = (schedule.constructor as typeof LearningRateSchedule).className;
  return { className, config: schedule.getConfig() };
}

/**
 * Rebuilds a schedule from `serializeSchedule`'s record; null for a class Keel does not know (a
 * user's own schedule), so the caller can fall back. Bad arguments throw the schedule's own error.
 */
export function deserializeSchedule(value: unknown): LearningRateSchedule | null {
  if (typeof value !== 'object' || value === null) return null;
  const { className, config } = value as Partial<SerializedSchedule>;
  if (typeof className !== 'string' || !Object.hasOwn(SCHEDULES, className)) return null;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return null;
  return SCHEDULES[className]!(config);
}
