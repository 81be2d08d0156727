/** The messages between a search and its worker processes (v8 structured clone over IPC). */
import type { Logs } from '../nn/callbacks/callback.js';
import type { BuildRef } from './build-ref.js';
import type { TrialFitArgs, TrialJob, TrialOutcome } from './trial-runner.js';

export type ParentMessage =
  | {
      type: 'init';
      build: BuildRef;
      /** {x, y, validationData?} with tensors encoded by data/dataset/codec.ts. */
      data: unknown;
      fit: Omit<TrialFitArgs, 'callbacks' | 'validationData'>;
    }
  | { type: 'trial'; job: TrialJob }
  /** The native threads the worker uses from its next kernel on (the pool rebalances the cores). */
  | { type: 'threads'; threads: number }
  | { type: 'decision'; stop: boolean }
  /** Stop the running trial after its current batch (the search was interrupted). */
  | { type: 'abort' };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'epoch'; number: number; step: number; logs: Logs }
  | { type: 'done'; number: number; outcome: TrialOutcome }
  | { type: 'error'; number: number; message: string }
  | { type: 'interrupted'; number: number }
  | { type: 'fatal'; message: string };
