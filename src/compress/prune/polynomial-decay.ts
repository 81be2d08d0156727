import {
  checkInteger,
  checkSparsity,
  isPruningTurn,
  type PruningDecision,
  type PruningSchedule,
} from './schedule.js';

/** Options of `PolynomialDecay`. */
export interface PolynomialDecayArgs {
  initialSparsity: number;
  finalSparsity: number;
  beginStep: number;
  endStep: number;
  /** The exponent of the decay (default 3, Zhu & Gupta's cubic). */
  power?: number;
  /** Masks are recomputed every `frequency` steps (default 100). */
  frequency?: number;
}

/**
 * Zhu & Gupta's (2017) gradual schedule, tfmot's PolynomialDecay:
 * s_t = s_f + (s_i − s_f)·(1 − p)^power, p = clamp((t − beginStep) / (endStep − beginStep), 0, 1),
 * pruning at beginStep and every `frequency` steps after it until endStep.
 * `new PolynomialDecay({ initialSparsity: 0.5, finalSparsity: 0.9, beginStep: 0, endStep: 1000 })`
 */
export class PolynomialDecay implements PruningSchedule {
  readonly initialSparsity: number;
  readonly finalSparsity: number;
  readonly beginStep: number;
  readonly endStep: number;
  readonly power: number;
  readonly frequency: number;

  constructor(args: PolynomialDecayArgs) {
    const owner = 'PolynomialDecay';
    this.initialSparsity = checkSparsity(owner, 'initialSparsity', args.initialSparsity);
    this.finalSparsity = checkSparsity(owner, 'finalSparsity', args.finalSparsity);
    this.beginStep = checkInteger(owner, 'beginStep', args.beginStep, 0);
    this.endStep = checkInteger(owner, 'endStep', args.endStep, this.beginStep + 1);
    this.power = args.power ?? 3;
    if (!(Number.isFinite(this.power) && this.power > 0)) {
      throw new RangeError(`${owner}: power must be a finite number > 0, got ${args.power}`);
    }
    this.frequency = checkInteger(owner, 'frequency', args.frequency ?? 100, 1);
  }

  /**
   * Sparsity `final + (initial - final) * (1 - p)^power`, p the progress from beginStep to endStep;
   * prunes every `frequency` steps.
   */
  at(step: number): PruningDecision {
    const p = Math.min(1, Math.max(0, (step - this.beginStep) / (this.endStep - this.beginStep)));
    const sparsity =
      this.finalSparsity + (this.initialSparsity - this.finalSparsity) * (1 - p) ** this.power;
    return {
      shouldPrune: isPruningTurn(step, this.beginStep, this.endStep, this.frequency),
      sparsity,
    };
  }

  /**
   * The options that rebuild this `PolynomialDecay` with `fromConfig` (what serialization saves).
   */
  getConfig(): Record<string, number> {
    const { initialSparsity, finalSparsity, beginStep, endStep, power, frequency } = this;
    return { initialSparsity, finalSparsity, beginStep, endStep, power, frequency };
  }
}
