/** Naming and printing evaluate's results, shared by `keel train` and `keel evaluate`. */
import type { Model } from '../models/model.js';

/** The names of evaluate's results: 'loss', then each compiled metric as fit's logs name it. */
export function scoreNames(model: Model, count: number): string[] {
  const metrics = model.compiled?.metrics?.map((m) => m.name) ?? [];
  const names = ['loss', ...metrics];
  return names.length === count
    ? names
    : ['loss', ...Array.from({ length: count - 1 }, (_, i) => `metric_${i}`)];
}

/** Prints evaluate's results as the examples do: `Test loss: ...`, `Test accuracy: ...`. */
export function printScores(names: readonly string[], scores: readonly number[]): void {
  for (const [i, n] of names.entries()) console.log(`Test ${n}: ${scores[i]}`);
}
