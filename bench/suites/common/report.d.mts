// Types for report.mjs, so that Keel's TypeScript contenders can share the peers' helpers.
export declare const cacheDir: string;
export declare function parseArgs(argv?: string[]): Record<string, string>;
export declare function threadCount(): number;
export declare function median(xs: readonly number[]): number;
export declare function quantile(xs: readonly number[], q: number): number;
export interface TimeCallsOptions {
  warmup?: number;
  minReps?: number;
  maxReps?: number;
  minSeconds?: number;
}
export declare function timeCalls(fn: () => unknown, options?: TimeCallsOptions): Promise<number[]>;
export declare function timeOnce(fn: () => unknown): Promise<number>;
export interface FitEpochOptions<B> {
  suite: string;
  contender: string;
  model: {
    fit(x: never, y: never, args: object): Promise<{ history: Record<string, number[]> }>;
  };
  /** Rows [from, to) as the x and y model.fit takes. */
  batch(from: number, to: number): B;
  samples: number;
  epochSamples: number;
  warmSamples?: number;
  /** More fields of the report line (threads, runtime), read after the timed epoch. */
  extra(): Record<string, unknown> | Promise<Record<string, unknown>>;
}
export declare function timeFitEpoch<B extends { x: unknown; y: unknown }>(
  options: FitEpochOptions<B>,
): Promise<void>;
export declare function loadMnistTrain(): {
  n: number;
  x: Float32Array;
  labels: Uint8Array;
  oneHot: Float32Array;
};
export declare function loadSpamTrain(): {
  n: number;
  maxlen: number;
  ids: Int32Array;
  y: Float32Array;
};
export declare function fillRandom(n: number, seed?: number): Float32Array;
export declare function report(result: Record<string, unknown>): void;
export interface InferenceOptions {
  suite: string;
  contender: string;
  /** A call that runs a batch of the first n images; for n = 4 it gives their outputs. */
  predict(n: number): () => ArrayLike<number> | Promise<ArrayLike<number>>;
  threads: number;
  runtime: Record<string, unknown>;
}
export declare function timeInference(options: InferenceOptions): Promise<void>;
