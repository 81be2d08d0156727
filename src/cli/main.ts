/**
 * The `keel` command line: one commander program, one file per command under `commands/`.
 * Exit codes: 0 success, 1 the task failed (training diverged, a check did not pass),
 * 2 bad usage or bad input (unknown option, unreadable file), 130 interrupted (Ctrl-C).
 */
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';
import { EXIT, UsageError } from './errors.js';
import { Interrupted } from './interrupt.js';

export function buildProgram(): Command {
  const program = new Command('keel')
    .description('Keel: build, train, compress and serve neural networks from the command line.')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions()
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end with exit code 0; usage errors were already printed.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const message = e instanceof Error ? e.message : String(e);
    console.error(`keel: ${message}`);
    if (e instanceof Interrupted) return EXIT.interrupted;
    return e instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
}

if (process.argv[1] && /[\\/](main\.(ts|js)|keel(\.mjs)?)$/.test(process.argv[1])) {
  // Output piped into a reader that stops early (`keel predict ... | head`) ends the command
  // quietly, as Unix tools do, instead of with an unhandled EPIPE stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT.ok);
    throw e;
  });
  process.exitCode = await main();
}
