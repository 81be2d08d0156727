import { type InitArgs, initCommunicator } from './communicator.js';
import { DataParallel, type DataParallelArgs } from './data-parallel.js';

let strategy: DataParallel | null = null;

/**
 * Joins the MPI job that launched this process and returns its data-parallel strategy (the same
 * one on every call). Throws naming the missing environment when no launcher started the process.
 *
 * ```ts
 * const strategy = distributed.init();
 * model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', strategy });
 * await model.fit(x, y, { batchSize: 32 }); // 32 rows per process
 * ```
 */
export function init(args: InitArgs & DataParallelArgs = {}): DataParallel {
  strategy ??= new DataParallel(initCommunicator(args), args);
  return strategy;
}
