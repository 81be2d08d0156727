/**
 * Runs hostile-input cases in a child process with a heap cap and a timeout, so a hang or a
 * crash is a failed test rather than a dead runner. Each case is an async function body (as a
 * string) that imports from `SRC` (the absolute path of src/) and returns a value or throws;
 * the child reports, per case, the error message or the value, the time taken and its peak RSS.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** What one case did in the child. */
export interface CaseOutcome {
  name: string;
  error?: string;
  value?: unknown;
  ms: number;
  /** CPU time the case used (user + system), in ms: unlike `ms`, barely moved by a loaded machine. */
  cpuMs: number;
  /** Peak resident memory of the child when the case ended, in MiB. */
  rssMiB: number;
}

export const SRC = resolve('src');

/**
 * Runs `cases` (name -> body) one after another in one child (`--max-old-space-size` = heapMiB),
 * killed after timeoutMs. A crash, a kill or a case that never reported fails with the name of
 * the case that was running.
 */
export function runCases(
  cases: Record<string, string>,
  { timeoutMs = 60_000, heapMiB = 256, setup = '' } = {},
): Map<string, CaseOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-hostile-child-'));
  const script = join(dir, 'child.mts');
  const body = Object.entries(cases)
    .map(
      ([name, code]) => `
  {
    const name = ${JSON.stringify(name)};
    console.log('START ' + name);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const out: Record<string, unknown> = { name };
    try {
      out.value = await (async () => { ${code} })();
    } catch (e) {
      out.error = e instanceof Error ? e.message : 'non-Error thrown: ' + String(e);
    }
    out.ms = performance.now() - t0;
    const c1 = process.cpuUsage(c0);
    out.cpuMs = (c1.user + c1.system) / 1000;
    out.rssMiB = process.resourceUsage().maxRSS / 1024;
    console.log('RESULT ' + JSON.stringify(out));
  }`,
    )
    .join('\n');
  writeFileSync(
    script,
    `const SRC = ${JSON.stringify(SRC)};\n${setup}\n${body}\nprocess.exit(0);\n`,
  );
  try {
    const r = spawnSync(
      process.execPath,
      [`--max-old-space-size=${heapMiB}`, '--import', 'tsx', script],
      { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', cwd: process.cwd() },
    );
    const out = new Map<string, CaseOutcome>();
    let running = '';
    for (const line of r.stdout.split('\n')) {
      if (line.startsWith('START ')) running = line.slice(6);
      if (line.startsWith('RESULT ')) {
        const o = JSON.parse(line.slice(7)) as CaseOutcome;
        out.set(o.name, o);
        running = '';
      }
    }
    if (r.status !== 0 || running !== '') {
      const why = r.error?.message ?? (r.signal ? `signal ${r.signal}` : `exit ${r.status}`);
      throw new Error(
        `hostile child died (${why}) during case '${running || '?'}'; stderr: ${r.stderr.slice(-2000)}`,
      );
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The outcome of `name`, asserted to be an error matching `re`. */
export function expectError(
  results: Map<string, CaseOutcome>,
  name: string,
  re: RegExp,
): CaseOutcome {
  const o = results.get(name);
  if (!o) throw new Error(`case '${name}' did not run`);
  if (o.error === undefined) {
    throw new Error(
      `case '${name}': expected an error matching ${re}, got ${JSON.stringify(o.value)}`,
    );
  }
  if (!re.test(o.error))
    throw new Error(`case '${name}': error ${JSON.stringify(o.error)} does not match ${re}`);
  return o;
}

/** The outcome of `name`, asserted to have succeeded. */
export function expectValue(results: Map<string, CaseOutcome>, name: string): CaseOutcome {
  const o = results.get(name);
  if (!o) throw new Error(`case '${name}' did not run`);
  if (o.error !== undefined) throw new Error(`case '${name}' failed: ${o.error}`);
  return o;
}
