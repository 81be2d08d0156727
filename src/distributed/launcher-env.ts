/** The environment variables through which launchers tell a process its place in the job. */
export const LAUNCHER_VARIABLES = [
  'OMPI_COMM_WORLD_SIZE', // Open MPI's mpirun (and keel launch)
  'PMI_SIZE', // MPICH's Hydra, Slurm's srun --mpi=pmi2
  'PMIX_RANK', // PMIx launchers: srun --mpi=pmix, prterun
] as const;

/** True when an MPI launcher started this process (so init() can join its job). */
export function isLaunched(env: NodeJS.ProcessEnv = process.env): boolean {
  return LAUNCHER_VARIABLES.some((v) => env[v] !== undefined);
}

/** Throws, naming the variables it looked for, when no launcher started this process. */
export function requireLauncher(what: string, env: NodeJS.ProcessEnv = process.env): void {
  if (isLaunched(env)) return;
  throw new Error(
    `${what}: this process was not started by an MPI launcher (none of ${LAUNCHER_VARIABLES.join(', ')} is set). Start it with 'npx keel launch --nproc 2 script.ts', 'mpirun -np 2 npx tsx script.ts' or 'srun --mpi=pmix ...'`,
  );
}
