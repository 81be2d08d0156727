/**
 * Runs a hostile-input case in a child process, so that a crash, a hang or a memory blow-up is a
 * test failure with a reason instead of a dead test runner. The child is Node with tsx (the same
 * environment, so an AddressSanitizer run's LD_PRELOAD and KEEL_NATIVE_PATH carry over); its peak
 * resident memory is polled from /proc and it is killed past the cap or the timeout. RLIMIT_AS is
 * not used: V8 and WebAssembly reserve far more address space than they touch.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the child's working directory, so `await import('./src/…')` works. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** What became of one isolated case. */
export interface IsolatedResult {
  /** Exit code (null when killed by a signal). */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why the parent killed it, if it did. */
  killed: 'timeout' | 'memory' | null;
  /** Peak resident memory seen (VmHWM), MiB. */
  peakMiB: number;
  stderr: string;
  /** The body's outcome: its return value, or the message and name of what it threw. */
  outcome: { ok: true; value: unknown } | { ok: false; name: string; message: string } | null;
}

/** Limits of one case: wall time and peak resident memory. */
export interface IsolatedLimits {
  timeoutMs?: number;
  maxMiB?: number;
}

const MARK = '@@keel-hostile@@';

function peakMiB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs `body` (the statements of an async function, ES module syntax; import with
 * `await import('./src/…')`) in a child Node process and reports how it ended.
 */
export function runIsolated(body: string, limits: IsolatedLimits = {}): Promise<IsolatedResult> {
  const timeoutMs = limits.timeoutMs ?? 60_000;
  const maxMiB = limits.maxMiB ?? 1536;
  const script = `
const report = (r) => process.stdout.write('\\n${MARK}' + JSON.stringify(r) + '\\n');
try {
  const value = await (async () => {\n${body}\n})();
  report({ ok: true, value: value === undefined ? null : value });
} catch (e) {
  report({ ok: false, name: String(e?.name ?? typeof e), message: String(e?.message ?? e) });
}`;
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--max-old-space-size=1024', '-e', script],
      { cwd: repoRoot, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let killed: IsolatedResult['killed'] = null;
    let peak = 0;
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const poll = setInterval(() => {
      if (child.pid === undefined) return;
      peak = Math.max(peak, peakMiB(child.pid));
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
      const line = stdout.split('\n').find((l) => l.startsWith(MARK));
      const outcome = line
        ? (JSON.parse(line.slice(MARK.length)) as IsolatedResult['outcome'])
        : null;
      done({ code, signal, killed, peakMiB: Math.round(peak), stderr, outcome });
    });
  });
}

function describeEnd(r: IsolatedResult): string {
  const tail = r.stderr.split('\n').slice(-12).join('\n');
  return `code ${r.code}, signal ${r.signal}, killed ${r.killed}, peak ${r.peakMiB} MiB\n${tail}`;
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
