import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';

/** Options of `launch` (an `mpirun` of the training script). */
export interface LaunchArgs {
  /** Processes to start (`mpirun -np`). */
  nproc: number;
  /** The training script (.ts runs through tsx) and its arguments. */
  script: string;
  args?: readonly string[];
  /** Restart the whole job up to this many times after a failure (default 0); the script resumes
   * from its BackupAndRestore checkpoint. Each attempt gets KEEL_LAUNCH_ATTEMPT=0, 1, ... */
  maxRestarts?: number;
  /** Hosts for mpirun -H (host1:slots,host2:slots); default this machine. */
  hosts?: string;
  /** More mpirun options, e.g. ['--mca', 'btl_tcp_if_include', 'eth0']. */
  mpirunArgs?: readonly string[];
  /** KEEL_COLLECTIVE_TIMEOUT for the ranks, in seconds. */
  timeoutSeconds?: number;
  /** The mpirun executable (default 'mpirun' on PATH). */
  mpirun?: string;
  /** Lines the launcher prints (default console.error). */
  log?: (line: string) => void;
}

/** How a launch ended: the exit code, the attempts and the last failure. */
export interface LaunchResult {
  /** 0 when an attempt succeeded. */
  exitCode: number;
  attempts: number;
  /** Why the last failed attempt failed, naming the rank when mpirun reported it. */
  failure: string | null;
}

const INSTALL_HELP =
  'Install Open MPI: Debian/Ubuntu `sudo apt install openmpi-bin libopenmpi-dev`, Fedora `sudo dnf install openmpi openmpi-devel` (then `module load mpi`), macOS `brew install open-mpi`; then run `npm run build:mpi` in Keel to build its MPI collectives.';

/** Throws with installation instructions when mpirun cannot be run. */
export function checkMpirun(mpirun = 'mpirun'): void {
  const probe = spawnSync(mpirun, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(`keel launch: '${mpirun}' was not found or does not run. ${INSTALL_HELP}`);
  }
}

/** The mpirun command line: node (with tsx for TypeScript) on the script in every rank. */
export function mpirunCommand(args: LaunchArgs, attempt: number): string[] {
  const overloaded = args.hosts === undefined && args.nproc > availableParallelism();
  const ts = ['.ts', '.mts', '.cts'].includes(extname(args.script));
  return [
    '-np',
    String(args.nproc),
    ...(args.hosts ? ['-H', args.hosts] : []),
    ...(overloaded ? ['--oversubscribe'] : []),
    // Keel's thread pool places its own threads; init() gives each rank cores / local ranks.
    '--bind-to',
    'none',
    ...(process.getuid?.() === 0 ? ['--allow-run-as-root'] : []),
    '-x',
    `KEEL_LAUNCH_ATTEMPT=${attempt}`,
    ...(args.timeoutSeconds ? ['-x', `KEEL_COLLECTIVE_TIMEOUT=${args.timeoutSeconds}`] : []),
    ...(args.mpirunArgs ?? []),
    process.execPath,
    ...(ts ? ['--import', import.meta.resolve('tsx')] : []),
    args.script,
    ...(args.args ?? []),
  ];
}

/**
 * The environment the ranks start with: the launcher's own, plus defaults for how MPI waits,
 * unless the caller set them. On one machine, Open MPI's shared-memory transport alone
 * (`OMPI_MCA_btl=vader,self`: no TCP endpoints to set up); where the ranks fill or exceed the
 * cores, MPI yields the core while it polls inside a collective (`OMPI_MCA_mpi_yield_when_idle=1`).
 * The wait for the other ranks before each collective is polite in any case (KEEL_MPI_WAIT=poll,
 * the addon's default: it sleeps between polls instead of spinning against the computation).
 * MPICH ignores the OMPI_ variables.
 */
export function rankEnvironment(
  args: Pick<LaunchArgs, 'nproc' | 'hosts'>,
  base: NodeJS.ProcessEnv = process.env,
  cores = availableParallelism(),
): NodeJS.ProcessEnv {
  const env = { ...base };
  const local = args.hosts === undefined;
  if (local && env['OMPI_MCA_btl'] === undefined) env['OMPI_MCA_btl'] = 'vader,self';
  if (local && args.nproc >= cores && env['OMPI_MCA_mpi_yield_when_idle'] === undefined)
    env['OMPI_MCA_mpi_yield_when_idle'] = '1';
  return env;
}

/** The failing rank as mpirun reports it, in one line; null when the output names none. */
export function describeFailure(stderr: string): string | null {
  const signal =
    /process rank (\d+) with PID (\d+) on node (\S+) exited on signal (\d+) \(([^)]*)\)/.exec(
      stderr,
    );
  if (signal)
    return `rank ${signal[1]} (pid ${signal[2]} on ${signal[3]}) was killed by signal ${signal[4]} (${signal[5]})`;
  const abort =
    /MPI_ABORT was invoked on rank (\d+) in communicator \S+\s+with errorcode (\d+)/.exec(stderr);
  if (abort) return `rank ${abort[1]} failed (exit code ${abort[2]}; its error is printed above)`;
  const exit = /Process name: \[\[\d+,\d+\],(\d+)\]\s+Exit code:\s+(\d+)/.exec(stderr);
  if (exit) return `rank ${exit[1]} exited with code ${exit[2]}`;
  const noFinalize = /process rank (\d+) with PID (\d+) on node (\S+) exiting improperly/.exec(
    stderr,
  );
  if (noFinalize)
    return `rank ${noFinalize[1]} (pid ${noFinalize[2]} on ${noFinalize[3]}) exited without finishing`;
  return null;
}

function runOnce(args: LaunchArgs, attempt: number): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(args.mpirun ?? 'mpirun', mpirunCommand(args, attempt), {
      env: rankEnvironment(args),
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let tail = '';
    child.stderr.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-64 * 1024);
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), stderr: tail }),
    );
  });
}

/**
 * Runs `script` on `nproc` processes with mpirun, restarting the whole job up to `maxRestarts`
 * times when a rank fails. `await launch({nproc: 2, script: 'train.ts', args: ['--epochs', '2']})`
 */
export async function launch(args: LaunchArgs): Promise<LaunchResult> {
  if (!(Number.isInteger(args.nproc) && args.nproc >= 1))
    throw new RangeError(`keel launch: --nproc must be a positive integer, got ${args.nproc}`);
  const restarts = args.maxRestarts ?? 0;
  if (!(Number.isInteger(restarts) && restarts >= 0))
    throw new RangeError(`keel launch: --max-restarts must be an integer >= 0, got ${restarts}`);
  checkMpirun(args.mpirun);
  const log = args.log ?? ((line: string) => console.error(line));
  let failure: string | null = null;
  for (let attempt = 0; attempt <= restarts; attempt++) {
    if (attempt > 0) {
      log(
        `keel launch: restarting the job (attempt ${attempt + 1} of ${restarts + 1}); the script resumes from its last BackupAndRestore checkpoint`,
      );
    }
    const { code, stderr } = await runOnce(args, attempt);
    if (code === 0) return { exitCode: 0, attempts: attempt + 1, failure };
    failure = describeFailure(stderr) ?? `mpirun exited with code ${code}`;
    log(`keel launch: the job failed: ${failure}`);
    if (attempt === restarts) return { exitCode: code, attempts: attempt + 1, failure };
  }
  return { exitCode: 1, attempts: restarts + 1, failure };
}
