/**
 * The tuners by algorithm, KerasTuner's names and options:
 * `new Hyperband({ build, objective: 'val_accuracy', maxEpochs: 9, factor: 3 })`,
 * `new BayesianOptimization({ build, objective: 'val_loss', maxTrials: 20 })`,
 * `new RandomSearch({...})`, `new ASHA({ maxEpochs: 27, minEpochs: 1 })`,
 * `new TPE({ build, objective: 'val_accuracy', maxTrials: 30, numInitialPoints: 10 })`.
 */
import { AshaAlgorithm, type AshaOptions } from './algorithms/asha.js';
import { BayesianAlgorithm, type BayesianOptions } from './algorithms/bayesian.js';
import { HyperbandAlgorithm, type HyperbandOptions } from './algorithms/hyperband.js';
import { RandomSearchAlgorithm } from './algorithms/random.js';
import { TpeAlgorithm, type TpeOptions } from './algorithms/tpe.js';
import { Tuner, type TunerOptions } from './tuner.js';

/** KerasTuner's RandomSearch: each trial draws its parameters at random. */
export class RandomSearch extends Tuner {
  constructor(options: TunerOptions) {
    super(options, new RandomSearchAlgorithm());
  }
}

/** KerasTuner's Hyperband: brackets of successive halving up to `maxEpochs` per configuration. */
export class Hyperband extends Tuner {
  constructor(options: TunerOptions & HyperbandOptions) {
    super(options, new HyperbandAlgorithm(options));
  }
}

/** Asynchronous successive halving: trials are promoted to longer rungs as they finish. */
export class ASHA extends Tuner {
  constructor(options: TunerOptions & AshaOptions) {
    super(options, new AshaAlgorithm(options));
  }
}

/**
 * KerasTuner's BayesianOptimization: a Gaussian process over the parameters after random trials.
 */
export class BayesianOptimization extends Tuner {
  constructor(options: TunerOptions & BayesianOptions) {
    super(options, new BayesianAlgorithm(options));
  }
}

/** Optuna's default: tree-structured Parzen estimators after a random start. */
export class TPE extends Tuner {
  constructor(options: TunerOptions & TpeOptions) {
    super(options, new TpeAlgorithm(options));
  }
}

/** The tuner classes by algorithm name (configs and the CLI choose by name). */
export const TUNERS = {
  random: RandomSearch,
  hyperband: Hyperband,
  asha: ASHA,
  bayesian: BayesianOptimization,
  tpe: TPE,
} as const;
/** The names of the search algorithms ('random', 'hyperband', 'asha', 'bayesian', 'tpe'). */
export type AlgorithmName = keyof typeof TUNERS;
