/**
 * Prints the first training losses of an example at full precision, for checking that a change
 * leaves training bit-identical: `npx tsx scripts/first-losses.ts mnist-cnn --seed 1` prints
 * `First losses: [...]` after 20 steps and exits (KEEL_FIRST_LOSSES=N for another count). It wraps
 * Model.fit (a batch-end callback) and Model.trainOnBatch (custom loops such as char-gpt).
 */

import { isDataset } from '../src/data/dataset/dataset.js';
import { Model } from '../src/models/model.js';
import { Callback, type Logs } from '../src/nn/callbacks/callback.js';

const count = Number(process.env['KEEL_FIRST_LOSSES'] ?? 20);
const seen: number[] = [];
function record(loss: number): void {
  seen.push(loss);
  if (seen.length < count) return;
  console.log(`First losses: ${JSON.stringify(seen)}`);
  process.exit(0);
}

class Recorder extends Callback {
  override onTrainBatchEnd(_batch: number, logs: Logs): void {
    record(logs['loss'] as number);
  }
}

const fit = Model.prototype.fit as (this: Model, ...args: unknown[]) => unknown;
(Model.prototype as { fit: unknown }).fit = function (this: Model, ...args: unknown[]) {
  // fit(x, y, args?) or fit(dataset, args?): the options object follows the data.
  const at = isDataset(args[0]) ? 1 : 2;
  const options = (args[at] ?? {}) as { callbacks?: Callback[] };
  return fit.call(this, ...args.slice(0, at), {
    ...options,
    verbose: 0,
    callbacks: [...(options.callbacks ?? []), new Recorder()],
  });
};
const trainOnBatch = Model.prototype.trainOnBatch;
Model.prototype.trainOnBatch = function (this: Model, ...args: Parameters<Model['trainOnBatch']>) {
  const result = trainOnBatch.apply(this, args);
  record(Array.isArray(result) ? result[0]! : result);
  return result;
};

const [name, ...rest] = process.argv.slice(2);
if (!name) {
  console.error('Usage: npx tsx scripts/first-losses.ts <example> [--seed S] [example options]');
  process.exit(1);
}
process.argv = [process.argv[0]!, name, ...rest];
await import(new URL(`../examples/${name}.ts`, import.meta.url).href);
