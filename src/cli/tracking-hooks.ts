/** `keel train`'s link to experiment tracking: the Tracking callback and what it records after fit. */
import { basename, resolve } from 'node:path';
import type { Callback } from '../nn/callbacks/callback.js';
import { dataFingerprint } from '../tracking/run-params.js';
import { TrackingStore } from '../tracking/store.js';
import { Tracking } from '../tracking/tracking-callback.js';
import { Interrupted } from './interrupt.js';
import type { TrainConfig } from './train-config/config.js';
import type { LoadedData } from './train-config/load-data.js';

export interface TrainTracking {
  callbacks: Callback[];
  readonly runId: string | null;
  /** Ends the run as interrupted (Ctrl-C) or failed. */
  failed(error: unknown): void;
  /** Adds the test scores, the confusion matrix and a copy of the model file to the finished run. */
  finished(
    model: unknown,
    data: LoadedData,
    scores: Record<string, number>,
    output: string,
  ): Promise<void>;
}

/**
 * The tracking of one `keel train`: to `dir`, or to $KEEL_TRACKING_DIR when dir is undefined;
 * none when dir is null and the variable is unset, or when tracking is switched off (`false`).
 */
export function trainingCallbacks(args: {
  config: TrainConfig;
  configPath: string;
  data: LoadedData;
  seed: number | undefined;
  dir: string | undefined | false;
  tags: readonly string[];
  /** Checkpoint files copied into the run's artifacts as they change. */
  checkpoints?: readonly string[];
}): TrainTracking {
  const envDir = process.env['KEEL_TRACKING_DIR'];
  // The CLI records the run itself (with its config and data); the fit hook must not add another.
  delete process.env['KEEL_TRACKING_DIR'];
  const dir = args.dir === false ? null : (args.dir ?? envDir ?? null);
  if (!dir) {
    return { callbacks: [], runId: null, failed: () => {}, finished: async () => {} };
  }
  const store = TrackingStore.open(dir);
  const tracking = new Tracking({
    store,
    name: args.config.name,
    tags: args.tags,
    checkpoints: args.checkpoints,
    params: {
      config: resolve(args.configPath),
      data: {
        ...args.config.data,
        fingerprint: dataFingerprint([args.data.xTrain, args.data.yTrain]),
        trainSamples: args.data.xTrain.shape[0],
        testSamples: args.data.xTest.shape[0],
        kind: args.data.kind,
      },
      fitArgs: args.config.fit ?? {},
      seed: args.seed ?? null,
    },
  });
  return {
    callbacks: [tracking],
    get runId() {
      return tracking.runId;
    },
    failed(error) {
      const interrupted = error instanceof Interrupted;
      tracking.end(
        interrupted ? 'interrupted' : 'failed',
        (error as Error).message ?? String(error),
      );
      store.close();
    },
    async finished(_model, data, scores, output) {
      await tracking.recordEvaluation(data.xTest, data.yTest, {
        classNames: data.classNames,
        scores,
      });
      if (tracking.runId) {
        store.updateParams(tracking.runId, { output: resolve(output) });
        tracking.logArtifact(output, `model/${basename(output)}`);
      }
      store.close();
    },
  };
}
