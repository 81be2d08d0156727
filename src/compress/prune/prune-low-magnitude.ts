import type { Model } from '../../models/model.js';
import type { Variable } from '../../tensor/tensor.js';
import { magnitudeMasks } from './masks.js';
import { type PrunableKernel, prunableKernels } from './prunable.js';
import type { PruningSchedule } from './schedule.js';
import {
  checkApplicable,
  checkStructure,
  describeStructure,
  type PruningStructure,
} from './structure.js';

/** Options of `pruneLowMagnitude`. */
export interface PruneLowMagnitudeArgs {
  /** When and how much to prune (PolynomialDecay, ConstantSparsity). */
  schedule: PruningSchedule;
  /** One threshold per kernel ('layer', default) or one over all pruned kernels ('global'). */
  scope?: 'layer' | 'global';
  /** Which weights go together (default 'unstructured'); see `PruningStructure`. */
  structure?: PruningStructure;
  /** Prune only these layers (default: every Dense, Conv1D and Conv2D). */
  layers?: readonly string[];
}

const OWNER = 'pruneLowMagnitude';

/**
 * The pruning state of one model: its pruned kernels with their masks (1 keep, 0 prune), the
 * schedule and the step count `UpdatePruningStep` advances. The model itself stays a plain model.
 */
export class PruningHandle {
  readonly kernels: readonly PrunableKernel[];
  /** One mask per kernel, all ones until the schedule first prunes. */
  readonly masks: Uint8Array[];
  readonly schedule: PruningSchedule;
  readonly scope: 'layer' | 'global';
  readonly structure: PruningStructure;
  /** Training steps seen so far (the schedule's t). */
  step = 0;

  constructor(
    readonly model: Model,
    args: PruneLowMagnitudeArgs,
  ) {
    if (!args || typeof args.schedule?.at !== 'function') {
      throw new TypeError(
        `${OWNER}: schedule must be a PruningSchedule (PolynomialDecay, ConstantSparsity)`,
      );
    }
    const scope = args.scope ?? 'layer';
    if (scope !== 'layer' && scope !== 'global') {
      throw new RangeError(
        `${OWNER}: scope must be 'layer' or 'global', got ${JSON.stringify(scope)}`,
      );
    }
    this.schedule = args.schedule;
    this.scope = scope;
    this.structure = checkStructure(OWNER, args.structure ?? 'unstructured');
    this.kernels = prunableKernels(OWNER, model, args.layers);
    for (const { layer, kernel } of this.kernels) {
      checkApplicable(OWNER, this.structure, kernel.shape, `layer '${layer.name}' kernel`);
    }
    this.masks = this.kernels.map(({ kernel }) => new Uint8Array(kernel.size).fill(1));
  }

  /** Recomputes the masks by magnitude for `sparsity` and applies them. */
  updateMasks(sparsity: number): void {
    const values = this.kernels.map(({ kernel }) => ({
      values: kernel.data as Float32Array,
      shape: kernel.shape,
    }));
    const masks = magnitudeMasks(values, sparsity, this.structure, this.scope);
    for (const [i, m] of masks.entries()) this.masks[i]!.set(m);
    this.applyMasks();
  }

  /**
   * Zeroes the pruned weights in place, and the same entries of the optimizer's slots (momentum,
   * Adam's moments), so that an update cannot carry a pruned weight away from zero.
   */
  applyMasks(): void {
    const pruned = new Map<Variable, Uint8Array>();
    this.kernels.forEach(({ kernel }, i) => {
      pruned.set(kernel, this.masks[i]!);
      zeroWhere(kernel, this.masks[i]!);
    });
    for (const [variable, , slot] of this.model.compiled?.optimizer.slotEntries() ?? []) {
      const mask = pruned.get(variable);
      if (mask && slot.size === mask.length) zeroWhere(slot, mask);
    }
  }

  /** One line: the number of pruned kernels, the scope and the structure. */
  describe(): string {
    return `${this.kernels.length} kernels, ${this.scope} scope, ${describeStructure(this.structure)}`;
  }
}

function zeroWhere(v: Variable, mask: Uint8Array): void {
  const d = v.data;
  for (let i = 0; i < mask.length; i++) if (mask[i] === 0) d[i] = 0;
}

const handles = new WeakMap<Model, PruningHandle>();

/**
 * Marks the prunable kernels of `model` (Dense, Conv1D, Conv2D; biases never) for magnitude
 * pruning during `fit` with the `UpdatePruningStep` callback; tfmot's prune_low_magnitude. The
 * model keeps its layers; `stripPruning(model)` ends pruning.
 * `const handle = pruneLowMagnitude(model, { schedule: new PolynomialDecay({...}) })`
 */
export function pruneLowMagnitude(model: Model, args: PruneLowMagnitudeArgs): PruningHandle {
  if (handles.has(model)) {
    throw new Error(
      `${OWNER}: model '${model.name}' is already being pruned; call stripPruning first`,
    );
  }
  const handle = new PruningHandle(model, args);
  handles.set(model, handle);
  return handle;
}

/** The pruning state of `model`, if `pruneLowMagnitude` marked it and it was not stripped. */
export function pruningHandle(model: Model): PruningHandle | undefined {
  return handles.get(model);
}

/** Forgets the pruning state of `model` (stripPruning). */
export function forgetPruning(model: Model): void {
  handles.delete(model);
}
