/** Runs fixtures under mpirun for the distributed tests; skips them (saying why) without MPI. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = join(root, 'test', 'distributed', 'fixtures');

/** Why the MPI tests cannot run here ('' when they can); KEEL_REQUIRE_MPI=1 makes it a failure. */
export function mpiUnavailable(): string {
  const probe = spawnSync('mpirun', ['--version'], { encoding: 'utf8' });
  let reason = '';
  if (probe.error || probe.status !== 0)
    reason = 'mpirun is not installed (apt install openmpi-bin libopenmpi-dev)';
  else if (!existsSync(join(root, 'native', 'mpi', 'build', 'keel_mpi.node')))
    reason = 'the MPI addon is not built (npm run build:mpi)';
  if (reason && process.env['KEEL_REQUIRE_MPI'] === '1')
    throw new Error(`KEEL_REQUIRE_MPI=1 but ${reason}`);
  if (reason) console.log(`# skipping the MPI tests: ${reason}`);
  return reason;
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** `mpirun -np n node --import tsx fixture args` on this machine, with a wall-clock limit. */
export function mpirun(
  n: number,
  fixture: string,
  args: readonly string[],
  timeoutMs = 120_000,
): Run {
  const t0 = performance.now();
  const r = spawnSync(
    'mpirun',
    [
      '-np',
      String(n),
      '--oversubscribe',
      '--bind-to',
      'none',
      ...(process.getuid?.() === 0 ? ['--allow-run-as-root'] : []),
      process.execPath,
      '--import',
      'tsx',
      join(FIXTURES, fixture),
      ...args,
    ],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: timeoutMs,
      env: { ...process.env, KEEL_NUM_THREADS: '1' },
    },
  );
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** The same fixture in one plain process (no launcher). */
export function single(fixture: string, args: readonly string[], timeoutMs = 120_000): Run {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(FIXTURES, fixture), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, KEEL_NUM_THREADS: '1' },
  });
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** max |a − b| / max |a| over every weight of two fixture outputs. */
export function relativeDifference(a: number[][], b: number[][]): number {
  let diff = 0;
  let scale = 0;
  a.forEach((w, i) => {
    w.forEach((v, k) => {
      diff = Math.max(diff, Math.abs(v - b[i]![k]!));
      scale = Math.max(scale, Math.abs(v));
    });
  });
  return diff / scale;
}
