/**
 * Ctrl-C on the CLI's long tasks. In training (`keel train`, `distill`, `prune`) the first SIGINT
 * asks the running fit to stop after the current batch, where the callback saves a resumable
 * backup and throws `Interrupted` (exit code 130) naming the command that resumes; a second
 * SIGINT exits at once (the backup file is written atomically, so it is never left half written).
 * `keel tune` aborts its search with `onInterrupt` instead.
 */
import { existsSync, readdirSync, rmdirSync } from 'node:fs';
import { BackupAndRestore } from '../io/checkpoint/backup-and-restore.js';
import { Callback } from '../nn/callbacks/callback.js';
import { EventLoopYielder } from '../utils/event-loop.js';

/** Thrown out of fit when the user pressed Ctrl-C; the CLI exits with code 130. */
export class Interrupted extends Error {
  override name = 'Interrupted';
}

/** Quotes an argument for a POSIX shell when it needs it. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/** The command line that ran this process, as `keel ...` (what resumes an interrupted task). */
export function resumeCommand(argv: readonly string[] = process.argv): string {
  return ['keel', ...argv.slice(2)].map(shellQuote).join(' ');
}

/**
 * Calls `onFirst` at the first SIGINT or SIGTERM and exits with 130 at the second; returns the
 * function that removes the handlers.
 */
export function onInterrupt(onFirst: () => void): () => void {
  let requested = false;
  const handler = () => {
    if (requested) process.exit(130);
    requested = true;
    onFirst();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Stops fit after the batch during which Ctrl-C was pressed, saving a backup there. */
export class InterruptCallback extends Callback {
  private requested = false;
  private detachHandlers: (() => void) | null = null;
  private readonly yielder = new EventLoopYielder();

  constructor(private readonly backup: BackupAndRestore) {
    super();
  }

  override onTrainBegin(): void {
    this.detachHandlers ??= onInterrupt(() => {
      this.requested = true;
      process.stderr.write(
        '\nkeel: interrupted; saving a checkpoint after this batch (Ctrl-C again to quit now)\n',
      );
    });
  }

  override async onTrainBatchEnd(batch: number): Promise<void> {
    // fit yields to the event loop only between epochs; the signal handler must run within one.
    await this.yielder.maybeYield();
    if (!this.requested) return;
    // The handlers stay until the backup is written: a second Ctrl-C during the (synchronous,
    // atomic) save then runs only after it, instead of killing the process half-way.
    this.backup.backupAfterBatch(batch);
    this.detach();
    throw new Interrupted(
      `interrupted; checkpoint saved to ${this.backup.path}; resume with: ${resumeCommand()}`,
    );
  }

  override onTrainEnd(): void {
    this.detach();
  }

  /** Removes the signal handlers (fit ended or failed). */
  detach(): void {
    this.detachHandlers?.();
    this.detachHandlers = null;
  }
}

/**
 * The callbacks that make a CLI fit resumable: a BackupAndRestore in `backupDir` (restored when a
 * backup is there, which is announced on stderr) and the Ctrl-C callback that saves into it.
 */
export function resumableTraining(backupDir: string): {
  backup: BackupAndRestore;
  interrupt: InterruptCallback;
} {
  const backup = new BackupAndRestore(backupDir);
  if (existsSync(backup.path)) console.error(`keel: resuming from ${backup.path}`);
  return { backup, interrupt: new InterruptCallback(backup) };
}

/** Removes the backup folder once its checkpoint is gone (a finished run), if nothing else is in it. */
export function removeEmptyDir(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
}
