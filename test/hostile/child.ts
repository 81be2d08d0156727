/**
 * The one child-process harness of the hostile suite: a case runs in a child Node (with tsx, the
 * same environment, so an AddressSanitizer run's LD_PRELOAD and KEEL_NATIVE_PATH carry over), so a
 * crash, a hang or a memory blow-up is a failed test with a reason instead of a dead runner. The
 * child gets a V8 heap cap; its peak resident memory (VmHWM) is polled from /proc and it is
 * killed past `maxMiB` or `timeoutMs`. RLIMIT_AS is not used: V8 and WebAssembly reserve far more
 * address space than they touch.
 *
 * A case is the body of an async function (TypeScript) that imports with
 * `await import(SRC + '/io/…ts')` (SRC: the absolute path of src/) and returns a value or throws.
 * `runIsolated` runs one case per child; `runCases` runs several one after another in one child
 * and reports, per case, its error or value, time, CPU time and peak RSS.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the child's working directory. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The absolute path of src/, bound to `SRC` in every child. */
export const SRC = join(repoRoot, 'src');

/** Limits of one child: wall time, resident memory and V8 heap. */
export interface ChildLimits {
  /** Wall-clock limit of the whole child (default 60 s). */
  timeoutMs?: number;
  /** Peak resident memory (MiB) past which the child is killed (default 1536). */
  maxMiB?: number;
  /** `--max-old-space-size` of the child (default 1024). */
  heapMiB?: number;
}

/** How a child ended. */
export interface ChildEnd {
  /** Exit code (null when killed by a signal). */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why the parent killed it, if it did. */
  killed: 'timeout' | 'memory' | null;
  /** Peak resident memory seen (VmHWM), MiB. */
  peakMiB: number;
  stdout: string;
  stderr: string;
}

function peakOf(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs `source` (a TypeScript ES module, `SRC` defined before it) in a child under `limits`. */
function runChild(source: string, limits: ChildLimits): Promise<ChildEnd> {
  const { timeoutMs = 60_000, maxMiB = 1536, heapMiB = 1024 } = limits;
  const dir = mkdtempSync(join(tmpdir(), 'keel-hostile-child-'));
  const script = join(dir, 'child.mts');
  writeFileSync(script, `const SRC = ${JSON.stringify(SRC)};\n${source}\nprocess.exit(0);\n`);
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      [`--max-old-space-size=${heapMiB}`, '--import', 'tsx', script],
      { cwd: repoRoot, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let killed: ChildEnd['killed'] = null;
    let peak = 0;
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const poll = setInterval(() => {
      if (child.pid === undefined) return;
      peak = Math.max(peak, peakOf(child.pid));
      if (peak > maxMiB && killed === null) {
        killed = 'memory';
        child.kill('SIGKILL');
      }
    }, 10);
    const timer = setTimeout(() => {
      killed = 'timeout';
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      done({ code, signal, killed, peakMiB: Math.round(peak), stdout, stderr });
    });
  });
}

function describeEnd(r: ChildEnd, running = ''): string {
  const tail = r.stderr.split('\n').slice(-12).join('\n');
  const during = running ? ` during case '${running}'` : '';
  return `code ${r.code}, signal ${r.signal}, killed ${r.killed}, peak ${r.peakMiB} MiB${during}\n${tail}`;
}

// --- one case per child --------------------------------------------------------------------

/** What became of one isolated case. */
export interface IsolatedResult extends ChildEnd {
  /** The body's outcome: its return value, or the message and name of what it threw. */
  outcome: { ok: true; value: unknown } | { ok: false; name: string; message: string } | null;
}

const MARK = '@@keel-hostile@@';

/** Runs `body` (see the file comment) alone in a child and reports how it ended. */
export async function runIsolated(body: string, limits: ChildLimits = {}): Promise<IsolatedResult> {
  const end = await runChild(
    `const report = (r: unknown) => process.stdout.write('\\n${MARK}' + JSON.stringify(r) + '\\n');
try {
  const value = await (async (): Promise<unknown> => {\n${body}\n})();
  report({ ok: true, value: value === undefined ? null : value });
} catch (e) {
  const err = e as { name?: unknown; message?: unknown };
  report({ ok: false, name: String(err?.name ?? typeof e), message: String(err?.message ?? e) });
}`,
    limits,
  );
  const line = end.stdout.split('\n').find((l) => l.startsWith(MARK));
  const outcome = line ? (JSON.parse(line.slice(MARK.length)) as IsolatedResult['outcome']) : null;
  return { ...end, outcome };
}

/** Asserts the child ended normally (no crash, hang or blow-up) and returns the body's outcome. */
export function assertSurvived(r: IsolatedResult): NonNullable<IsolatedResult['outcome']> {
  assert.equal(r.killed, null, `the case was killed: ${describeEnd(r)}`);
  assert.equal(r.signal, null, `the case crashed: ${describeEnd(r)}`);
  assert.equal(r.code, 0, `the case exited abnormally: ${describeEnd(r)}`);
  assert.ok(r.outcome, `the case reported nothing: ${describeEnd(r)}`);
  return r.outcome;
}

/** Asserts the child survived and the body threw an error whose message matches `pattern`. */
export function assertCleanError(r: IsolatedResult, pattern: RegExp): string {
  const o = assertSurvived(r);
  assert.equal(o.ok, false, `expected an error, the case returned ${JSON.stringify(o)}`);
  if (o.ok) return '';
  assert.match(o.message, pattern);
  return o.message;
}

// --- several cases in one child ------------------------------------------------------------

/** What one case of `runCases` did in the child. */
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

/**
 * Runs `cases` (name -> body) one after another in one child, after the statements `setup`. A
 * crash, a kill (memory or time) or a case that never reported fails with the name of the case
 * that was running. Defaults: heapMiB 256, maxMiB 1536, timeoutMs 60 s.
 */
export async function runCases(
  cases: Record<string, string>,
  { setup = '', heapMiB = 256, ...limits }: ChildLimits & { setup?: string } = {},
): Promise<Map<string, CaseOutcome>> {
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
      out.value = await (async (): Promise<unknown> => { ${code} })();
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
  const end = await runChild(`${setup}\n${body}`, { heapMiB, ...limits });
  const out = new Map<string, CaseOutcome>();
  let running = '';
  for (const line of end.stdout.split('\n')) {
    if (line.startsWith('START ')) running = line.slice(6);
    if (line.startsWith('RESULT ')) {
      const o = JSON.parse(line.slice(7)) as CaseOutcome;
      out.set(o.name, o);
      running = '';
    }
  }
  if (end.code !== 0 || end.killed !== null || running !== '') {
    throw new Error(`hostile child died: ${describeEnd(end, running || '?')}`);
  }
  return out;
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
