/** Runs the real `keel` binary as a child process, for the CLI tests. */
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const KEEL = join(process.cwd(), 'bin', 'keel.mjs');

/** Runs `keel ...args` in `cwd` and returns its status, stdout and stderr. */
export function keel(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [KEEL, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 180_000,
  });
}

/** Starts `keel ...args` without waiting (for signals and live dashboards). */
export function keelAsync(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  return spawn(process.execPath, [KEEL, ...args], { cwd, env: { ...process.env, ...env } });
}

/** A tiny MNIST softmax-regression config (few samples, 1 epoch), with `patch` applied to it. */
export function tinyConfig(
  dir: string,
  name: string,
  patch: (c: Record<string, any>) => void = () => {},
): string {
  const config: Record<string, any> = {
    name,
    seed: 1,
    data: { dataset: 'mnist', limit: 1000, testLimit: 200 },
    model: {
      layers: [
        { className: 'Flatten', config: { inputShape: [28, 28, 1] } },
        { className: 'Dense', config: { units: 10, activation: 'softmax' } },
      ],
    },
    compile: { optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] },
    fit: { epochs: 1, batchSize: 16, verbose: 2 },
    output: `${name}.keel`,
  };
  patch(config);
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(config));
  return path;
}

/** What an interrupted child printed and how it ended. */
export interface Interrupted {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts `keel ...args`, sends SIGINT once stdout matches `when` (`signals` times, 20 ms apart;
 * to the whole process group with `group`, as a terminal's Ctrl-C does) and waits for the exit.
 */
export async function interruptKeel(
  args: readonly string[],
  cwd: string,
  when: RegExp,
  { group = false, signals = 1, env = {} as NodeJS.ProcessEnv } = {},
): Promise<Interrupted> {
  const child = spawn(process.execPath, [KEEL, ...args], {
    cwd,
    env: { ...process.env, ...env },
    detached: group,
  });
  let stdout = '';
  let stderr = '';
  let sent = false;
  const kill = () => (group ? process.kill(-child.pid!, 'SIGINT') : child.kill('SIGINT'));
  child.stdout.on('data', (d) => {
    stdout += d;
    if (sent || !when.test(stdout)) return;
    sent = true;
    for (let i = 0; i < signals; i++) setTimeout(kill, 20 * i);
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stdout, stderr };
}
