import { noGrad } from '../autograd/tape.js';
import { DTYPES } from '../tensor/dtype.js';
import { sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { OutputStream } from '../utils/progbar.js';
import { Progbar } from '../utils/progbar.js';
import { type DataInput, identityOrder, takeRows } from './data-adapter.js';
import { checkBatchSize, resolveVerbose } from './evaluate.js';
import { runPlanned } from './inference-plan.js';
import type { Model } from './model.js';
import { prepareInputs } from './prepare.js';

/** Options of `predict`. */
export interface PredictArgs {
  batchSize?: number;
  /** 0 silent (default), 1 progress bar, 2 one line. */
  verbose?: number | 'auto';
  /** Where the progress goes (default process.stdout). */
  stream?: OutputStream;
}

/**
 * `model.predict(x)`: the outputs for every sample, computed batch by batch with training = false
 * and without recording gradients. One tensor, or a list for a multi-output model.
 */
export function predictModel(
  model: Model,
  x: DataInput,
  args: PredictArgs = {},
): Tensor | Tensor[] {
  const batchSize = args.batchSize ?? 32;
  checkBatchSize('predict', batchSize);
  const verbose = resolveVerbose(args.verbose, 0);
  const xs = prepareInputs(model, 'predict', x);
  const n = xs[0]!.rank === 0 ? 0 : xs[0]!.shape[0]!;
  for (const t of xs) {
    if (t.rank === 0 || t.shape[0] !== n) {
      throw new RangeError(
        `predict: every input needs the same number of samples; got shapes ${xs.map((s) => `[${s.shape.join(', ')}]`).join(', ')}`,
      );
    }
  }
  const steps = Math.ceil(n / batchSize);
  // One batch (a serving request): no row copies in or out, only outputs that share an input's
  // storage (an identity or reshape-only model) are copied so the result never aliases x.
  if (steps === 1 && verbose === 0) {
    const planned = runPlanned(model, xs);
    if (planned !== null) return planned;
    const out = noGrad(() => model.apply(xs.length === 1 ? xs[0]! : xs, { training: false }));
    const ys = (Array.isArray(out) ? out : [out]).map((y) =>
      xs.some((t) => t.data.buffer === y.data.buffer)
        ? new Tensor(y.data.slice() as never, y.shape, y.dtype)
        : y,
    );
    return Array.isArray(out) ? ys : ys[0]!;
  }
  const order = identityOrder(n);
  const bar = verbose > 0 ? new Progbar({ target: steps, verbose, stream: args.stream }) : null;
  let outputs: Tensor[] | null = null;
  let returnsList = false;
  noGrad(() => {
    for (let step = 0; step < steps; step++) {
      const start = step * batchSize;
      const end = Math.min(n, start + batchSize);
      const rows = xs.map((t) => takeRows(t, order, start, end));
      const out =
        runPlanned(model, rows) ??
        model.apply(rows.length === 1 ? rows[0]! : rows, { training: false });
      returnsList = Array.isArray(out);
      const ys = Array.isArray(out) ? out : [out];
      // The full outputs are allocated once the first batch shows their shapes and dtypes.
      outputs ??= ys.map((y) => {
        const shape = [n, ...y.shape.slice(1)];
        return new Tensor(DTYPES[y.dtype].create(sizeOf(shape)), shape, y.dtype);
      });
      ys.forEach((y, i) => {
        outputs![i]!.data.set(y.data as never, start * (y.size / (end - start)));
      });
      bar?.update(step + 1);
    }
  });
  if (outputs === null) throw new RangeError('predict: x is empty (0 samples)');
  const result: Tensor[] = outputs;
  return returnsList ? result : result[0]!;
}
