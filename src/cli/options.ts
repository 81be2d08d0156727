/** Option parsers and checks shared by the `keel` commands. */
import { InvalidArgumentError } from 'commander';
import type { Model } from '../models/model.js';
import type { Tensor } from '../tensor/tensor.js';
import { UsageError } from './errors.js';

/** A commander parser for an integer option >= min. */
export function intOption(flag: string, min = 0): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) {
      throw new InvalidArgumentError(`${flag} needs an integer >= ${min}, got '${value}'`);
    }
    return n;
  };
}

/** A commander parser for a number option in [min, max]. */
export function numberOption(flag: string, min: number, max: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!(n >= min && n <= max)) {
      throw new InvalidArgumentError(`${flag} needs a number in [${min}, ${max}], got '${value}'`);
    }
    return n;
  };
}

/** A UsageError when the samples of x do not have the shape the model's input expects. */
export function checkInputShape(model: Model, x: Tensor, source: string): void {
  const input = model.inputs[0];
  if (!input || model.inputs.length !== 1) return;
  const expected = input.shape.slice(1);
  const got = x.shape.slice(1);
  const fits =
    expected.length === got.length && expected.every((d, i) => d === null || d === got[i]);
  if (!fits) {
    const show = (s: readonly (number | null)[]) => `[${s.map((d) => d ?? 'None').join(', ')}]`;
    throw new UsageError(
      `${source}: the model expects samples of shape ${show(expected)} (input ${show(input.shape)}), the data has ${show(got)} (x ${show(x.shape)})`,
    );
  }
}
