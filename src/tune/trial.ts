/** A trial as the study stores it: one training run of one configuration for a span of epochs. */
import type { Params } from './hyperparameters.js';

/**
 * waiting: queued (a resumed search re-runs interrupted trials first); running; interrupted
 * (stopped by the search's AbortSignal, Ctrl-C: run again on resume, under the same number);
 * complete; pruned (stopped early by the pruner, still scored); failed (build or fit threw);
 * infeasible (broke a constraint, never counted as best).
 */
export type TrialState =
  | 'waiting'
  | 'running'
  | 'interrupted'
  | 'complete'
  | 'pruned'
  | 'failed'
  | 'infeasible';

/** Where a trial sits in its algorithm's schedule. */
export interface TrialMeta {
  /** Train epochs [initialEpoch, epochs). */
  initialEpoch: number;
  epochs: number;
  /** The trial whose weights this one continues (Hyperband and ASHA promotions). */
  parent?: number;
  bracket?: number;
  rung?: number;
}

/** A trial's value at one epoch, with that epoch's logs. */
export interface IntermediateValue {
  /** The epoch (0-based). */
  step: number;
  /** The first objective's value at that epoch (null when not logged). */
  value: number | null;
  logs: Record<string, number>;
}

/** One trial as stored: number, state, parameters, results, per-epoch values and times. */
export interface TrialRecord {
  number: number;
  state: TrialState;
  params: Params;
  meta: TrialMeta;
  /** One value per objective (the best epoch's), null until finished or when it failed. */
  values: number[] | null;
  /** The final epoch's logs plus `params` (the parameter count). */
  metrics: Record<string, number> | null;
  error: string | null;
  intermediate: IntermediateValue[];
  startedAt: string | null;
  finishedAt: string | null;
}

/** The finished states: the trial trained and will not run again. */
export function isFinished(t: TrialRecord): boolean {
  return t.state !== 'waiting' && t.state !== 'running' && t.state !== 'interrupted';
}

/** Epochs a trial has trained (or will, while it runs). */
export function trialEpochs(t: TrialRecord): number {
  if (!isFinished(t)) return t.meta.epochs - t.meta.initialEpoch;
  return t.intermediate.length;
}
