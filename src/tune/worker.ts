/**
 * A trial worker process (forked by worker-pool.ts): loads the build module and the data once,
 * then runs the trials it is sent, one at a time, reporting every epoch and waiting for the
 * answer (continue or stop). It exits when the search's process goes away. It ignores Ctrl-C
 * (the terminal sends SIGINT to the whole process group): the search tells it to stop its trial.
 */
import { setNumThreads } from '../backends/native/index.js';
import { decodeElement } from '../data/dataset/codec.js';
import type { DataInput } from '../models/data-adapter.js';
import type { Logs } from '../nn/callbacks/callback.js';
import { loadBuild } from './build-ref.js';
import { runTrial, TrialInterrupted, type TrialSetup } from './trial-runner.js';
import type { ParentMessage, WorkerMessage } from './worker-protocol.js';

let setup: TrialSetup | null = null;
let decide: ((stop: boolean) => void) | null = null;
let abort: AbortController | null = null;

const send = (m: WorkerMessage) => process.send!(m);

process.on('disconnect', () => process.exit(0));
process.on('SIGINT', () => {});
process.on('message', (m: ParentMessage) => {
  void handle(m).catch((e: unknown) => {
    send({ type: 'fatal', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  });
});

async function handle(m: ParentMessage): Promise<void> {
  if (m.type === 'init') {
    const data = decodeElement(m.data) as {
      x: DataInput;
      y: DataInput;
      validationData?: [DataInput, DataInput];
    };
    setup = {
      build: await loadBuild(m.build),
      x: data.x,
      y: data.y,
      fit: { ...m.fit, ...(data.validationData ? { validationData: data.validationData } : {}) },
    };
    send({ type: 'ready' });
  } else if (m.type === 'threads') {
    setNumThreads(m.threads);
  } else if (m.type === 'decision') {
    decide?.(m.stop);
  } else if (m.type === 'abort') {
    abort?.abort();
  } else if (m.type === 'trial') {
    const onEpoch = (step: number, logs: Logs) =>
      new Promise<boolean>((resolve) => {
        decide = resolve;
        send({ type: 'epoch', number: m.job.number, step, logs });
      });
    abort = new AbortController();
    try {
      const outcome = await runTrial(setup!, m.job, onEpoch, abort.signal);
      send({ type: 'done', number: m.job.number, outcome });
    } catch (e) {
      if (e instanceof TrialInterrupted) {
        send({ type: 'interrupted', number: m.job.number });
        return;
      }
      send({
        type: 'error',
        number: m.job.number,
        message: e instanceof Error ? e.message : String(e),
      });
    }
  }
}
