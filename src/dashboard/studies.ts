/**
 * The tuning studies of `keel tune` as the dashboard shows them, read through the study store's
 * public functions (`listStudies`, `getStudy`, `listTrials`): the trials, the best value so far in
 * the order trials finished, and for two objectives the Pareto front.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Objective, paretoFront } from '../tune/objective.js';
import { StudyStore } from '../tune/storage.js';
import type { TrialRecord } from '../tune/trial.js';

/** The study database of a tuning folder (`<dir>/tuning.db`) or the file itself. */
export function studyDatabase(pathOrDir: string): string {
  return existsSync(pathOrDir) && statSync(pathOrDir).isDirectory()
    ? join(pathOrDir, 'tuning.db')
    : pathOrDir;
}

export interface StudyView {
  name: string;
  algorithm: string;
  objectives: Objective[];
  counts: Record<string, number>;
  trials: TrialRecord[];
  /** Finished, feasible trials in finishing order with the best first-objective value so far. */
  best: { trial: number; finishedAt: string; value: number; best: number }[];
  /** Trial numbers on the Pareto front of the objectives (empty for one objective). */
  front: number[];
}

const scored = (t: TrialRecord): boolean =>
  (t.state === 'complete' || t.state === 'pruned') && t.values !== null;

/** One study with what its charts need. */
export function studyView(store: StudyStore, name: string): StudyView {
  const study = store.getStudy(name);
  const trials = store.listTrials(name);
  const objective = study.objectives[0]!;
  const done = trials
    .filter(scored)
    .sort((a, b) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? '') || a.number - b.number);
  const best: StudyView['best'] = [];
  let so: number | null = null;
  for (const t of done) {
    const v = t.values![0]!;
    so = so === null ? v : objective.direction === 'max' ? Math.max(so, v) : Math.min(so, v);
    best.push({ trial: t.number, finishedAt: t.finishedAt ?? '', value: v, best: so });
  }
  const front =
    study.objectives.length > 1
      ? paretoFront(study.objectives, done, (t) => t.values!).map((t) => t.number)
      : [];
  return {
    name: study.name,
    algorithm: study.algorithm,
    objectives: study.objectives,
    counts: study.counts,
    trials,
    best,
    front,
  };
}

/**
 * The study store of a tuning folder, opened on first use (a search may start after the
 * dashboard): null while the database does not exist.
 */
export class StudyReader {
  private store: StudyStore | null = null;
  constructor(readonly path: string) {}

  get(): StudyStore | null {
    if (!this.store && existsSync(this.path)) this.store = new StudyStore(this.path);
    return this.store;
  }

  /** A string that changes whenever a trial is added or changes state (for live updates). */
  fingerprint(): string {
    const store = this.get();
    if (!store) return '';
    return store
      .listStudies()
      .map((s) => `${s.name}:${JSON.stringify(s.counts)}`)
      .join('|');
  }

  close(): void {
    this.store?.close();
    this.store = null;
  }
}
