/** Hyperparameter tuning: search spaces, algorithms, study storage, parallel and resumable search. */
export type { AlgorithmContext, Job, SearchAlgorithm } from './algorithms/algorithm.js';
export { AshaAlgorithm, type AshaOptions } from './algorithms/asha.js';
export { BayesianAlgorithm, type BayesianOptions } from './algorithms/bayesian.js';
export { expectedImprovement, GaussianProcess } from './algorithms/gaussian-process.js';
export { HyperbandAlgorithm, type HyperbandOptions } from './algorithms/hyperband.js';
export { RandomSearchAlgorithm } from './algorithms/random.js';
export { ParzenEstimator, TpeAlgorithm, type TpeOptions } from './algorithms/tpe.js';
export { type BuildRef, loadBuild } from './build-ref.js';
export * from './hyperparameters.js';
export { type MedianPrunerOptions, MedianStoppingPruner } from './median-pruner.js';
export {
  type Constraint,
  type Direction,
  dominates,
  type Objective,
  type ObjectiveLike,
  paretoFront,
  parseObjectives,
} from './objective.js';
export { decode, encode, mergeSpace } from './space.js';
export { type StudyInfo, StudyStore } from './storage.js';
export type { IntermediateValue, TrialMeta, TrialRecord, TrialState } from './trial.js';
export { type BuildFn, countParams, type TrialFitArgs, TrialInterrupted } from './trial-runner.js';
export {
  ObjectiveNotLoggedError,
  type SearchArgs,
  SearchInterrupted,
  type SearchProgress,
  Tuner,
  type TunerOptions,
} from './tuner.js';
export * from './tuners.js';
export { threadsPerWorker } from './worker-pool.js';
