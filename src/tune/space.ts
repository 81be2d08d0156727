/**
 * The search space as a whole: the union of the specs trials defined, uniform sampling of one
 * parameter, and the map of every parameter to [0, 1] that model-based algorithms work in
 * (log-scaled parameters are uniform in log space; a choice is its index, as KerasTuner encodes it).
 */
import type { Rng } from '../random/rng.js';
import {
  defaultValue,
  describeSpec,
  type ParamSpec,
  type Params,
  type ParamValue,
  type Sampler,
} from './hyperparameters.js';

/** Adds `specs` to `space` (in place); a name already there with another definition is an error. */
export function mergeSpace(space: ParamSpec[], specs: readonly ParamSpec[]): ParamSpec[] {
  for (const spec of specs) {
    const known = space.find((s) => s.name === spec.name);
    if (!known) {
      space.push(spec);
      continue;
    }
    if (describeSpec(known) !== describeSpec(spec))
      throw new RangeError(
        `HyperParameters '${spec.name}': redefined as ${describeSpec(spec)}, but an earlier trial defined it as ${describeSpec(known)}`,
      );
  }
  return space;
}

function snap(value: number, min: number, max: number, step: number): number {
  if (!step) return Math.min(max, Math.max(min, value));
  const k = Math.round((value - min) / step);
  return Math.min(max, min + Math.max(0, k) * step);
}

/** The value at position u in [0, 1] of a parameter's range. */
export function decode(spec: ParamSpec, u: number): ParamValue {
  const t = Math.min(1, Math.max(0, u));
  switch (spec.type) {
    case 'int':
    case 'float': {
      const { min, max, sampling } = spec;
      let v: number;
      if (sampling === 'log') v = Math.exp(Math.log(min) + t * (Math.log(max) - Math.log(min)));
      else if (spec.type === 'int')
        v = min - 0.5 + t * (max - min + 1); // each integer gets an equal share
      else v = min + t * (max - min);
      if (spec.type === 'int') return snap(Math.round(v), min, max, spec.step);
      return snap(v, min, max, spec.step);
    }
    case 'choice':
      return spec.values[Math.min(spec.values.length - 1, Math.floor(t * spec.values.length))]!;
    case 'boolean':
      return t >= 0.5;
    case 'fixed':
      return spec.value;
  }
}

/** The position in [0, 1] of a value (the centre of its cell for ints, choices and booleans). */
export function encode(spec: ParamSpec, value: ParamValue): number {
  switch (spec.type) {
    case 'int':
    case 'float': {
      const { min, max, sampling } = spec;
      const v = value as number;
      if (min === max) return 0.5;
      if (sampling === 'log')
        return (Math.log(v) - Math.log(min)) / (Math.log(max) - Math.log(min));
      if (spec.type === 'int') return (v - min + 0.5) / (max - min + 1);
      return (v - min) / (max - min);
    }
    case 'choice':
      return (Math.max(0, spec.values.indexOf(value)) + 0.5) / spec.values.length;
    case 'boolean':
      return value ? 0.75 : 0.25;
    case 'fixed':
      return 0.5;
  }
}

/** A uniform draw of one parameter. */
export function sampleUniform(spec: ParamSpec, rng: Rng): ParamValue {
  return decode(spec, rng.uniform());
}

/** Uniform draws of every parameter from one generator (random search's sampler). */
export function randomSampler(rng: Rng): Sampler {
  return (spec) => sampleUniform(spec, rng);
}

/** A trial's point in the unit cube over `space`; parameters it does not have take their default. */
export function encodePoint(space: readonly ParamSpec[], params: Params): number[] {
  return space.map((s) =>
    encode(s, Object.hasOwn(params, s.name) ? params[s.name]! : defaultValue(s)),
  );
}
