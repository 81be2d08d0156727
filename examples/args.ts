/**
 * Command-line options shared by the examples: `--epochs N`, `--seed S`, `--batch-size B`, and
 * for the examples that train by iterations (char-gpt) `--iters N`, a smaller model with
 * `--layers N --hidden N`, and a resumable run with `--checkpoint FILE [--checkpoint-every N]`
 * and `--save-weights FILE`, and `--teacher-iters N` for distill-char-gpt's teacher;
 * `--weights FILE` reads trained weights and `--rounds N` repeats the timings (quantize-char-gpt).
 */
export interface ExampleArgs {
  epochs?: number;
  seed?: number;
  batchSize?: number;
  iters?: number;
  layers?: number;
  hidden?: number;
  checkpointEvery?: number;
  checkpoint?: string;
  saveWeights?: string;
  weights?: string;
  teacherIters?: number;
  rounds?: number;
}

const NUMBERS = {
  '--epochs': 'epochs',
  '--seed': 'seed',
  '--batch-size': 'batchSize',
  '--iters': 'iters',
  '--layers': 'layers',
  '--hidden': 'hidden',
  '--checkpoint-every': 'checkpointEvery',
  '--teacher-iters': 'teacherIters',
  '--rounds': 'rounds',
} as const;

const PATHS = {
  '--checkpoint': 'checkpoint',
  '--save-weights': 'saveWeights',
  '--weights': 'weights',
} as const;

export function exampleArgs(argv: readonly string[] = process.argv.slice(2)): ExampleArgs {
  const args: ExampleArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[++i];
    const path = (PATHS as Record<string, (typeof PATHS)[keyof typeof PATHS]>)[flag];
    if (path) {
      if (!value) throw new Error(`${flag} needs a file path`);
      args[path] = value;
      continue;
    }
    const key = (
      NUMBERS as Record<string, Exclude<keyof ExampleArgs, (typeof PATHS)[keyof typeof PATHS]>>
    )[flag];
    if (!key)
      throw new Error(
        `Unknown option '${flag}'. Options: ${[...Object.keys(NUMBERS).map((f) => `${f} N`), ...Object.keys(PATHS).map((f) => `${f} FILE`)].join(', ')}`,
      );
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`${flag} needs a non-negative integer, got '${value}'`);
    args[key] = n;
  }
  return args;
}
