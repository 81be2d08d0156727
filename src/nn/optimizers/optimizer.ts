import { noGrad } from '../../autograd/tape.js';
import { mul } from '../../ops/mul.js';
import { zeros } from '../../tensor/create.js';
import { formatShape, shapesEqual } from '../../tensor/shape.js';
import { Tensor, Variable } from '../../tensor/tensor.js';
import type { LearningRateSchedule } from '../schedules/schedule.js';
import { serializeSchedule } from '../schedules/serialize.js';

/** Keras's common optimizer arguments. */
export interface OptimizerArgs {
  /** A number or a schedule evaluated at `iterations`. */
  learningRate?: number | LearningRateSchedule;
  /** Clip each gradient to this L2 norm. */
  clipnorm?: number;
  /** Clip each gradient element to [-clipvalue, clipvalue]. */
  clipvalue?: number;
  /** Clip all gradients together to this global L2 norm. */
  globalClipnorm?: number;
  /** Decoupled weight decay: before each update, w -= learningRate · weightDecay · w. */
  weightDecay?: number;
  /**
   * Keras 3's gradient accumulation: gradients of this many calls are averaged and applied as one
   * update on every n-th call (the others only accumulate); `iterations` counts updates.
   */
  gradientAccumulationSteps?: number;
  name?: string;
}

/** A (gradient, variable) pair; a null gradient (the loss does not depend on it) is skipped. */
export type GradAndVar = readonly [Tensor | null, Variable];

/**
 * The base of every optimizer: clipping, weight decay and the learning-rate schedule are handled
 * here, the update rule in `updateStep`. Slot variables (moments) are created lazily per weight.
 * `optimizer.applyGradients([[grad, variable], ...])`
 */
export abstract class Optimizer {
  static className = 'Optimizer';
  /** Number of update steps applied so far. */
  iterations = 0;
  readonly clipnorm: number | undefined;
  readonly clipvalue: number | undefined;
  readonly globalClipnorm: number | undefined;
  readonly weightDecay: number | undefined;
  name: string;
  protected schedule: LearningRateSchedule | null;
  protected fixedLearningRate: number;
  private readonly slots = new Map<Variable, Map<string, Variable>>();
  private readonly slotList: Variable[] = [];
  private excludedVariables = new Set<Variable>();
  private excludedNames: string[] = [];
  private excludedBelowRank = 0;
  readonly gradientAccumulationSteps: number | undefined;
  /**
   * Calls since the last update while accumulating gradients (0..n-1). The running sums are the
   * 'accumulatedGradient' slots, so checkpoints save them with the other slots.
   */
  accumulationStep = 0;

  constructor(args: OptimizerArgs, defaults: { learningRate: number; name: string }) {
    const lr = args.learningRate ?? defaults.learningRate;
    this.schedule = typeof lr === 'number' ? null : lr;
    this.fixedLearningRate = typeof lr === 'number' ? lr : Number.NaN;
    if (typeof lr === 'number' && !(lr >= 0))
      throw new RangeError(`${defaults.name}: learningRate must be >= 0, got ${lr}`);
    const clips = {
      clipnorm: args.clipnorm,
      clipvalue: args.clipvalue,
      globalClipnorm: args.globalClipnorm,
    };
    const given = Object.entries(clips).filter(([, v]) => v !== undefined);
    if (given.length > 1) {
      throw new RangeError(
        `${defaults.name}: only one of clipnorm, clipvalue and globalClipnorm can be set; got ${given.map(([k, v]) => `${k}=${v}`).join(', ')}`,
      );
    }
    for (const [k, v] of given) {
      if (!(v! > 0)) throw new RangeError(`${defaults.name}: ${k} must be > 0, got ${v}`);
    }
    if (args.weightDecay !== undefined && !(args.weightDecay >= 0))
      throw new RangeError(`${defaults.name}: weightDecay must be >= 0, got ${args.weightDecay}`);
    this.clipnorm = args.clipnorm;
    this.clipvalue = args.clipvalue;
    this.globalClipnorm = args.globalClipnorm;
    this.weightDecay = args.weightDecay;
    const acc = args.gradientAccumulationSteps;
    if (acc !== undefined && !(Number.isInteger(acc) && acc >= 1))
      throw new RangeError(
        `${defaults.name}: gradientAccumulationSteps must be an integer >= 1, got ${acc}`,
      );
    this.gradientAccumulationSteps = acc;
    this.name = args.name ?? defaults.name;
  }

  /** The learning rate of the next step (a schedule is evaluated at `iterations`). */
  get learningRate(): number {
    return this.schedule ? this.schedule.at(this.iterations) : this.fixedLearningRate;
  }

  /** Sets a fixed learning rate, replacing any schedule (ReduceLROnPlateau, LearningRateScheduler). */
  set learningRate(value: number) {
    if (!(value >= 0))
      throw new RangeError(`${this.name}: learningRate must be >= 0, got ${value}`);
    this.schedule = null;
    this.fixedLearningRate = value;
  }

  /**
   * Applies one update per (gradient, variable) pair, then increments `iterations`.
   * Order as in Keras: clip the gradients, decay the weights, run the update rule.
   */
  applyGradients(gradsAndVars: readonly GradAndVar[]): void {
    const grads: Tensor[] = [];
    const vars: Variable[] = [];
    for (const [g, v] of gradsAndVars) {
      if (g === null) continue;
      if (!shapesEqual(g.shape, v.shape)) {
        throw new RangeError(
          `${this.name}: gradient shape ${formatShape(g.shape)} does not match variable '${v.name}' shape ${formatShape(v.shape)}`,
        );
      }
      if (v.dtype !== 'float32' || g.dtype !== 'float32') {
        throw new TypeError(
          `${this.name}: can only update float32 variables with float32 gradients; variable '${v.name}' is ${v.dtype}, its gradient ${g.dtype}`,
        );
      }
      grads.push(g);
      vars.push(v);
    }
    if (grads.length === 0 && gradsAndVars.length > 0) {
      throw new Error(
        `${this.name}: no gradients provided for any variable (${gradsAndVars.map(([, v]) => `'${v.name}'`).join(', ')})`,
      );
    }
    if (this.gradientAccumulationSteps !== undefined && this.gradientAccumulationSteps > 1) {
      if (!this.accumulate(grads, vars)) return;
    }
    noGrad(() => {
      // A global-norm clip that the update rule applies itself needs no scaled copies.
      const fused = this.fusesGradientScale && this.globalClipnorm !== undefined;
      const scale = fused ? this.globalClipScale(grads) : 1;
      const clipped = fused ? grads : this.clipGradients(grads);
      const lr = this.learningRate;
      for (let i = 0; i < vars.length; i++) {
        const v = vars[i]!;
        const decay = this.weightDecay && this.useWeightDecay(v) ? lr * this.weightDecay : 0;
        this.updateStep(clipped[i]!, v, lr, decay, scale);
      }
    });
    this.iterations++;
  }

  /**
   * Adds the gradients into the accumulators; on every n-th call replaces them (in `grads`) by the
   * mean over the n calls, resets the accumulators and returns true (time to update).
   */
  private accumulate(grads: Tensor[], vars: readonly Variable[]): boolean {
    const n = this.gradientAccumulationSteps!;
    vars.forEach((v, i) => {
      const acc = this.slot(v, 'accumulatedGradient').data;
      const g = grads[i]!.data;
      for (let k = 0; k < acc.length; k++) acc[k]! += g[k]!;
    });
    this.accumulationStep = (this.accumulationStep + 1) % n;
    if (this.accumulationStep !== 0) return false;
    vars.forEach((v, i) => {
      const acc = this.slot(v, 'accumulatedGradient').data;
      const mean = new Float32Array(acc.length);
      for (let k = 0; k < acc.length; k++) mean[k] = acc[k]! / n;
      acc.fill(0);
      grads[i] = new Tensor(mean, v.shape, 'float32');
    });
    return true;
  }

  /**
   * The update rule for one variable, writing into its storage (and its slots') in place.
   * `decay` is learningRate · weightDecay for this variable (0 when none): w -= decay · w first.
   * `gradScale` (1 unless `fusesGradientScale`) multiplies the gradient: the global-norm clip.
   */
  protected abstract updateStep(
    grad: Tensor,
    variable: Variable,
    learningRate: number,
    decay: number,
    gradScale: number,
  ): void;

  /** w -= decay · w in place (the decoupled weight decay of an update rule written as a loop). */
  protected decayInPlace(variable: Variable, decay: number): void {
    if (decay === 0) return;
    const w = variable.data;
    for (let i = 0; i < w.length; i++) w[i] = w[i]! - w[i]! * decay;
  }

  /** True when `updateStep` applies `gradScale` itself (then clipping makes no scaled copies). */
  protected get fusesGradientScale(): boolean {
    return false;
  }

  /** The factor globalClipnorm scales every gradient by: min(1, c / ‖grads‖); 1 when not set. */
  private globalClipScale(grads: readonly Tensor[]): number {
    if (this.globalClipnorm === undefined) return 1;
    let total = 0;
    for (const g of grads) total += sumOfSquares(g);
    const n = Math.sqrt(total);
    return n > this.globalClipnorm ? this.globalClipnorm / n : 1;
  }

  /**
   * Excludes variables from weight decay: those listed, and those whose name contains any of
   * `varNames`. `optimizer.excludeFromWeightDecay({varNames: ['bias', 'gamma']})`
   */
  excludeFromWeightDecay(options: {
    variables?: readonly Variable[];
    varNames?: readonly string[];
    /**
     * Also exclude every variable of rank below this: 2 spares vectors (Dense biases, norm scales
     * and offsets). MultiHeadAttention's biases are [heads, dim], so "matrices only" is
     * `{belowRank: 2, varNames: ['bias']}`.
     */
    belowRank?: number;
  }): void {
    this.excludedVariables = new Set(options.variables ?? []);
    this.excludedNames = [...(options.varNames ?? [])];
    this.excludedBelowRank = options.belowRank ?? 0;
  }

  /** What `excludeFromWeightDecay` set (model files save it with the optimizer). */
  weightDecayExclusions(): { variables: Variable[]; varNames: string[]; belowRank: number } {
    return {
      variables: [...this.excludedVariables],
      varNames: [...this.excludedNames],
      belowRank: this.excludedBelowRank,
    };
  }

  /** False for a variable excluded by `excludeFromWeightDecay`. */
  protected useWeightDecay(variable: Variable): boolean {
    if (this.excludedVariables.has(variable)) return false;
    if (variable.rank < this.excludedBelowRank) return false;
    for (const s of this.excludedNames) if (variable.name.includes(s)) return false;
    return true;
  }

  /**
   * The slot `name` of `variable`, created on first use: a Variable of `slotShape(variable, name)`
   * filled with `slotInitialValue(name)` (zeros unless the optimizer says otherwise).
   */
  protected slot(variable: Variable, name: string): Variable {
    let table = this.slots.get(variable);
    if (!table) this.slots.set(variable, (table = new Map()));
    let s = table.get(name);
    if (!s) {
      const init = zeros(this.slotShape(variable, name));
      const fill = this.slotInitialValue(name);
      if (fill !== 0) init.data.fill(fill);
      s = new Variable(init, {
        name: `${this.name}/${variable.name}_${name}`,
        trainable: false,
      });
      table.set(name, s);
      this.slotList.push(s);
    }
    return s;
  }

  /** The shape of slot `name` of `variable`: the variable's own unless the rule factors it (Adafactor). */
  slotShape(variable: Variable, _name: string): readonly number[] {
    return variable.shape;
  }

  /** The value a new slot `name` starts from (Adagrad's and Ftrl's initialAccumulatorValue). */
  protected slotInitialValue(_name: string): number {
    return 0;
  }

  /** A slot variable if it exists ('momentum', 'velocity', ...), else undefined. */
  getSlot(variable: Variable, name: string): Variable | undefined {
    return this.slots.get(variable)?.get(name);
  }

  /** All slot variables, in creation order (for checkpoints). */
  get variables(): readonly Variable[] {
    return this.slotList;
  }

  /** Every slot as [variable, slot name, slot], in creation order (for checkpoints). */
  slotEntries(): [Variable, string, Variable][] {
    const out: [Variable, string, Variable][] = [];
    for (const [v, table] of this.slots) for (const [name, s] of table) out.push([v, name, s]);
    return out;
  }

  /** Sets slot `name` of `variable` to `value`, creating it if needed (restoring a checkpoint). */
  setSlot(variable: Variable, name: string, value: Tensor): void {
    this.slot(variable, name).assign(value);
  }

  private clipGradients(grads: Tensor[]): Tensor[] {
    if (this.clipnorm !== undefined) {
      const c = this.clipnorm;
      return grads.map((g) => {
        const n = Math.sqrt(sumOfSquares(g));
        return n > c ? scaled(g, c / n) : g;
      });
    }
    if (this.globalClipnorm !== undefined) {
      const scale = this.globalClipScale(grads);
      return scale === 1 ? grads : grads.map((g) => scaled(g, scale));
    }
    if (this.clipvalue !== undefined) {
      const c = this.clipvalue;
      return grads.map((g) => clamped(g, c));
    }
    return grads;
  }

  /** The options that rebuild this `Optimizer` with `fromConfig` (what serialization saves). */
  getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      learningRate: this.schedule ? serializeSchedule(this.schedule) : this.fixedLearningRate,
      clipnorm: this.clipnorm,
      clipvalue: this.clipvalue,
      globalClipnorm: this.globalClipnorm,
      weightDecay: this.weightDecay,
      ...(this.gradientAccumulationSteps === undefined
        ? {}
        : { gradientAccumulationSteps: this.gradientAccumulationSteps }),
    };
  }
}

/** Σ g², in four running sums: one would make each add wait for the last (about 2x slower). */
function sumOfSquares(g: Tensor): number {
  const d = g.data;
  const n = d.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += d[i]! * d[i]!;
    s1 += d[i + 1]! * d[i + 1]!;
    s2 += d[i + 2]! * d[i + 2]!;
    s3 += d[i + 3]! * d[i + 3]!;
  }
  for (; i < n; i++) s0 += d[i]! * d[i]!;
  return s0 + s1 + (s2 + s3);
}

/** g · factor through the mul op (the native backend's vector kernel). */
function scaled(g: Tensor, factor: number): Tensor {
  return mul(g, factor);
}

/** g clipped to [-c, c]; the same tensor when nothing needs clipping (no copy). */
function clamped(g: Tensor, c: number): Tensor {
  const d = g.data;
  let i = 0;
  while (i < d.length && d[i]! <= c && d[i]! >= -c) i++;
  if (i === d.length) return g;
  const out = new Float32Array(d);
  for (; i < d.length; i++) {
    const v = d[i]!;
    out[i] = v > c ? c : Math.max(v, -c);
  }
  return new Tensor(out, g.shape, 'float32');
}
