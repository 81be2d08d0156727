/** The exit codes every `keel` command uses, so scripts can tell failures apart. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** Bad usage or bad input (a missing file, an option out of range): exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
