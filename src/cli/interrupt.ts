/**
 * Ctrl-C during training: the first SIGINT asks the running fit to stop after the current batch,
 * where the callback saves a backup and throws `Interrupted` (exit code 130); a second SIGINT
 * exits at once.
 */
import type { BackupAndRestore } from '../io/checkpoint/backup-and-restore.js';
import { Callback } from '../nn/callbacks/callback.js';

/** Thrown out of fit when the user pressed Ctrl-C; the CLI exits with code 130. */
export class Interrupted extends Error {
  override name = 'Interrupted';
}

export class InterruptCallback extends Callback {
  private requested = false;
  private readonly onSignal = () => {
    if (this.requested) process.exit(130);
    this.requested = true;
    process.stderr.write(
      '\nkeel: interrupted; saving a checkpoint after this batch (Ctrl-C again to quit now)\n',
    );
  };

  constructor(private readonly backup: BackupAndRestore) {
    super();
  }

  override onTrainBegin(): void {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  override onTrainBatchEnd(batch: number): void {
    if (!this.requested) return;
    this.detach();
    this.backup.backupAfterBatch(batch);
    throw new Interrupted(
      `interrupted; checkpoint saved to ${this.backup.path}; run the same command again to resume`,
    );
  }

  override onTrainEnd(): void {
    this.detach();
  }

  detach(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}
