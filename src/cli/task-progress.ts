/**
 * The progress the long commands print besides fit's (`keel quantize` calibration, `keel tune`),
 * through `TaskProgress`: a bar on a terminal, plain periodic lines otherwise.
 */
import type { CalibrationProgress } from '../compress/quantize/static-plan.js';
import type { SearchProgress } from '../tune/tuner.js';
import { formatLogValue, type OutputStream } from '../utils/progbar.js';
import { TaskProgress } from '../utils/task-progress.js';

const STAGES = { activations: 'Calibrating activations', ranges: 'Calibrating ranges' } as const;

/** A static-calibration progress listener: one bar per stage (batches, then layers). */
export function calibrationProgress(
  stream: OutputStream = process.stdout,
): (p: CalibrationProgress) => void {
  let stage: CalibrationProgress['stage'] | null = null;
  let bar: TaskProgress | null = null;
  return (p) => {
    if (p.stage !== stage) {
      stage = p.stage;
      bar = new TaskProgress({
        label: STAGES[p.stage],
        target: p.total,
        unitName: p.stage === 'activations' ? 'batch' : 'layer',
        stream,
      });
    }
    bar!.update(p.done, undefined, `layer ${p.layer}`);
  };
}

/**
 * A tuning progress listener: trials done / max trials (or trials done when unbounded) with the
 * best objective so far, and the running trial's epoch; `log` prints the per-trial lines beside it.
 */
export function searchProgress(stream: OutputStream = process.stdout): {
  onProgress: (p: SearchProgress) => void;
  log: (line: string) => void;
  finish: () => void;
} {
  let bar: TaskProgress | null = null;
  let done = 0;
  let values: Record<string, number> | undefined;
  const open = (target: number | null) => {
    bar ??= new TaskProgress({
      label: 'Tuning',
      target,
      unitName: 'trial',
      stream,
      everyStep: true,
    });
    return bar;
  };
  return {
    onProgress: (p) => {
      const b = open(p.maxTrials);
      if (p.best !== null) values = { [`best ${p.objective}`]: p.best };
      if (p.type === 'trial') {
        done = p.trialsDone;
        b.update(done, values, `trial ${p.trial} ${p.state}`);
      } else {
        const logs =
          p.objective in p.logs ? `, ${p.objective} ${formatLogValue(p.logs[p.objective]!)}` : '';
        b.update(done, values, `trial ${p.trial} epoch ${p.epoch}/${p.epochs}${logs}`);
      }
    },
    log: (line) => (bar ? bar.log(line) : stream.write(`${line}\n`)),
    /** Ends the bar where the search stopped (budget, algorithm or Ctrl-C before maxTrials). */
    finish: () => bar?.finish(done, values),
  };
}
