import type { FitPosition } from '../models/fit.js';
import type { Model } from '../models/model.js';
import { zeros } from '../tensor/create.js';
import { formatShape } from '../tensor/shape.js';
import type { Variable } from '../tensor/tensor.js';
import type { Communicator } from './communicator.js';

/** FNV-1a over a string, as a number MPI carries exactly in a float64. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The weights as 'name:dtype[shape]' lines: what must be the same on every replica. */
function signature(weights: readonly Variable[]): string[] {
  return weights.map((w) => `${w.dtype}${formatShape(w.shape)}`);
}

/**
 * Checks that every rank built the same model (a checksum of its weights' dtypes and shapes);
 * otherwise every rank throws the same error, naming the ranks that differ from rank 0.
 */
export function checkSameModel(comm: Communicator, model: Model): void {
  const lines = signature(model.weights);
  const mine = new Float64Array([fnv1a(lines.join(';')), lines.length]);
  const all = comm.allgather(mine);
  const differ: string[] = [];
  for (let r = 1; r < comm.size; r++) {
    if (all[2 * r] !== all[0] || all[2 * r + 1] !== all[1]) {
      differ.push(`rank ${r} (${all[2 * r + 1]} weights, checksum ${all[2 * r]})`);
    }
  }
  if (differ.length > 0) {
    throw new Error(
      `distributed: the model differs across ranks: ${differ.join(', ')} vs rank 0 (${all[1]} weights, checksum ${all[0]}); rank ${comm.rank} has ${lines.join(', ') || 'no weights'}. Every rank must build the same model with the same input shape`,
    );
  }
}

/** Broadcasts JSON from rank 0: its byte length, then the bytes. */
function broadcastJson<T>(comm: Communicator, value: T): T {
  const bytes = comm.rank === 0 ? new TextEncoder().encode(JSON.stringify(value)) : null;
  const length = new Int32Array([bytes?.length ?? 0]);
  comm.broadcast(length, 0);
  const buf = bytes ?? new Uint8Array(length[0]!);
  comm.broadcast(buf, 0);
  return JSON.parse(new TextDecoder().decode(buf)) as T;
}

function bytesOf(v: Variable): Uint8Array {
  const d = v.data;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

interface ChiefState {
  iterations: number;
  accumulationStep: number;
  /** [index in model.weights, slot name] of every optimizer slot, in creation order. */
  slots: [number, string][];
  resume: { epoch: number; step: number; order: boolean } | null;
}

/**
 * Makes every rank start where rank 0 is: its weights (all of them, non-trainable included), its
 * optimizer's iterations, accumulation position and slots, and its resume point (a restored
 * BackupAndRestore), which is returned.
 */
export function broadcastTrainingState(
  comm: Communicator,
  model: Model,
  resume: FitPosition | null,
): FitPosition | null {
  const weights = model.weights;
  const optimizer = model.compiled!.optimizer;
  const index = new Map(weights.map((w, i) => [w, i]));
  const chief = broadcastJson<ChiefState>(comm, {
    iterations: optimizer.iterations,
    accumulationStep: optimizer.accumulationStep,
    slots: optimizer.slotEntries().map(([v, name]) => [index.get(v) ?? -1, name]),
    resume: resume
      ? { epoch: resume.epoch, step: resume.step, order: resume.order !== null }
      : null,
  });
  for (const w of weights) comm.broadcast(bytesOf(w), 0);
  optimizer.iterations = chief.iterations;
  optimizer.accumulationStep = chief.accumulationStep;
  for (const [i, name] of chief.slots) {
    const v = weights[i];
    if (!v)
      throw new Error(
        `distributed: rank 0 has an optimizer slot '${name}' for a weight this rank lacks`,
      );
    if (!optimizer.getSlot(v, name)) optimizer.setSlot(v, name, zeros(v.shape));
    comm.broadcast(bytesOf(optimizer.getSlot(v, name)!), 0);
  }
  if (!chief.resume) return null;
  let order: Int32Array | null = null;
  if (chief.resume.order) {
    const length = new Int32Array([resume?.order?.length ?? 0]);
    comm.broadcast(length, 0);
    order = comm.rank === 0 ? resume!.order! : new Int32Array(length[0]!);
    comm.broadcast(order, 0);
  }
  return { epoch: chief.resume.epoch, step: chief.resume.step, order };
}
