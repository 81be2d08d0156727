import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A typed array MPI can move: float32/float64/int32 reduce; any of them (and bytes) broadcast. */
export type CommBuffer = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Op codes of the addon's allreduce (native/mpi/collectives.cc). */
export const REDUCE_OPS = { sum: 0, mean: 1, max: 2, min: 3 } as const;
/** A reduction across processes: 'sum', 'mean', 'max' or 'min'. */
export type ReduceOp = keyof typeof REDUCE_OPS;

/** The functions of native/mpi/build/keel_mpi.node; each returns the seconds spent inside MPI. */
export interface MpiBinding {
  init(): {
    rank: number;
    size: number;
    localRank: number;
    localSize: number;
    threadMultiple: boolean;
    library: string;
  };
  allreduce(buf: CommBuffer, op: number, timeoutMs: number): number;
  allreduceStart(buf: CommBuffer, op: number, chained?: boolean): number;
  wait(handle: number, timeoutMs: number): number;
  broadcast(buf: CommBuffer, root: number, timeoutMs: number): number;
  allgather(send: CommBuffer, recv: CommBuffer, timeoutMs: number): number;
  barrier(timeoutMs: number): number;
  finalize(): void;
  abort(code: number): never;
}

const ADDON = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'native',
  'mpi',
  'build',
  'keel_mpi.node',
);

let loaded: MpiBinding | null = null;

/** Loads the MPI addon, or throws saying how to get it (it is built at install when MPI exists). */
export function mpiBinding(): MpiBinding {
  if (loaded) return loaded;
  if (!existsSync(ADDON)) {
    throw new Error(
      `distributed: the MPI collectives addon is not built (${ADDON} is missing). Install Open MPI (Debian/Ubuntu: apt install openmpi-bin libopenmpi-dev; macOS: brew install open-mpi), then run npm run build:mpi`,
    );
  }
  try {
    loaded = createRequire(import.meta.url)(ADDON) as MpiBinding;
  } catch (e) {
    throw new Error(
      `distributed: the MPI collectives addon did not load (${(e as Error).message}); rebuild it with npm run build:mpi`,
    );
  }
  return loaded;
}
