/**
 * Command-line options shared by the examples: `--epochs N`, `--seed S`, `--batch-size B`, and
 * `--iters N` for the examples that train by iterations (char-gpt), and `--teacher-iters N` for
 * distill-char-gpt's teacher.
 */
export interface ExampleArgs {
  epochs?: number;
  seed?: number;
  batchSize?: number;
  iters?: number;
  teacherIters?: number;
}

export function exampleArgs(argv: readonly string[] = process.argv.slice(2)): ExampleArgs {
  const args: ExampleArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const key = {
      '--epochs': 'epochs',
      '--seed': 'seed',
      '--batch-size': 'batchSize',
      '--iters': 'iters',
      '--teacher-iters': 'teacherIters',
    }[flag] as keyof ExampleArgs | undefined;
    if (!key)
      throw new Error(
        `Unknown option '${flag}'. Options: --epochs N, --seed S, --batch-size B, --iters N, --teacher-iters N`,
      );
    const value = Number(argv[++i]);
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`${flag} needs a non-negative integer, got '${argv[i]}'`);
    args[key] = value;
  }
  return args;
}
