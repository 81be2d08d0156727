import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { backendInfo, getBackend, listKernels, setBackend } from '../../../src/backends/index.js';
import { nativeUnavailableReason } from '../../../src/backends/native/index.js';
import { matMul } from '../../../src/ops/matmul.js';
import { Rng } from '../../../src/random/rng.js';
import { randomUniform } from '../../../src/random/tensors.js';
import { itNative, native } from './native-helpers.js';

const BACKEND_INFO = `import { backendInfo } from './src/backends/index.ts'; console.log(JSON.stringify(backendInfo()));`;
const MIN_ELEMENTS = `import { nativeOptions } from './src/backends/native/check.ts'; console.log(nativeOptions.minElements);`;

/** Runs a snippet in a fresh process (tsx) with extra environment variables; resolves to its output. */
function probe(
  env: Record<string, string>,
  code = BACKEND_INFO,
): Promise<{ out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    env: {
      ...process.env,
      KEEL_BACKEND: '',
      KEEL_NUM_THREADS: '',
      KEEL_NATIVE_MIN_ELEMENTS: '',
      ...env,
    },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) =>
    child.on('close', (status) =>
      status === 0 ? resolve({ out: out.trim(), err }) : reject(new Error(err)),
    ),
  );
}

/** backendInfo and a 37x29 @ 29x41 product (odd sizes: vector bodies and scalar tails). */
const ISA_PROBE = `import { backendInfo } from './src/backends/index.ts';
import { matMul } from './src/ops/matmul.ts';
import { Rng } from './src/random/rng.ts';
import { randomUniform } from './src/random/tensors.ts';
const a = randomUniform([37, 29], -1, 1, { rng: new Rng(1) });
const b = randomUniform([29, 41], -1, 1, { rng: new Rng(2) });
console.log(JSON.stringify({ info: backendInfo(), out: Array.from(matMul(a, b).data) }));`;

// Started together up front: each pays tsx's start-up once, in parallel.
const probes = {
  ts: probe({ KEEL_BACKEND: 'ts' }),
  native: probe({ KEEL_BACKEND: 'native', KEEL_NUM_THREADS: '3' }),
  missing: probe({ KEEL_NATIVE_PATH: '/nonexistent/keel.node' }),
  minZero: probe({ KEEL_NATIVE_MIN_ELEMENTS: '0' }, MIN_ELEMENTS),
  minBad: probe({ KEEL_NATIVE_MIN_ELEMENTS: '-3' }, MIN_ELEMENTS),
  // KEEL_NATIVE_MIN_ELEMENTS=0 so that the small product runs on the pinned ISA's kernel.
  ...Object.fromEntries(
    ['avx2', 'scalar', 'bogus'].map((isa) => [
      `isa-${isa}`,
      probe({ KEEL_ISA: isa, KEEL_NATIVE_MIN_ELEMENTS: '0' }, ISA_PROBE),
    ]),
  ),
} as Record<string, Promise<{ out: string; err: string }>>;

describe('native backend loading', () => {
  it('is present when KEEL_REQUIRE_NATIVE=1', () => {
    if (process.env['KEEL_REQUIRE_NATIVE'] === '1') {
      assert.ok(
        native,
        `KEEL_REQUIRE_NATIVE=1 but the addon did not load: ${nativeUnavailableReason}`,
      );
    }
  });

  itNative('is the default backend and reports its ISA and threads', () => {
    if (process.env['KEEL_BACKEND'] === 'ts') return;
    assert.equal(getBackend(), 'native');
    const info = backendInfo();
    assert.equal(info.backend, 'native');
    // Unpinned, the widest ISA this CPU supports, as the addon lists them (widest first).
    if (!process.env['KEEL_ISA']) assert.equal(info.isa, native!.info().isas[0]);
    assert.ok(
      ['avx512vnni', 'avx512', 'avxvnni', 'avx2', 'sse2', 'scalar'].includes(info.isa),
      info.isa,
    );
    assert.ok(info.threads >= 1);
    assert.ok(listKernels('native').includes('matMul'));
  });

  itNative('can be switched off and on at run time', () => {
    const before = getBackend();
    try {
      setBackend('ts');
      assert.deepEqual(backendInfo(), { backend: 'ts', isa: 'js', threads: 1 });
      setBackend('native');
      assert.equal(backendInfo().backend, 'native');
    } finally {
      setBackend(before);
    }
  });

  it('follows KEEL_BACKEND=ts', async () => {
    assert.deepEqual(JSON.parse((await probes.ts).out), { backend: 'ts', isa: 'js', threads: 1 });
  });

  itNative('follows KEEL_BACKEND=native and KEEL_NUM_THREADS', async () => {
    const nat = JSON.parse((await probes.native).out);
    assert.equal(nat.backend, 'native');
    assert.equal(nat.threads, 3);
  });

  it('falls back to TypeScript with one notice when the addon cannot load', async () => {
    const r = await probes.missing;
    assert.deepEqual(JSON.parse(r.out), { backend: 'ts', isa: 'js', threads: 1 });
    assert.equal(r.err.match(/native backend unavailable/g)?.length, 1, r.err);
  });

  it('takes its size threshold from KEEL_NATIVE_MIN_ELEMENTS, warning about bad values', async () => {
    const zero = await probes.minZero;
    assert.equal(zero.out, '0');
    assert.doesNotMatch(zero.err, /KEEL_NATIVE_MIN_ELEMENTS/);
    const bad = await probes.minBad;
    assert.equal(bad.out, '64');
    assert.match(
      bad.err,
      /ignoring KEEL_NATIVE_MIN_ELEMENTS=-3 \(expected a non-negative integer\)/,
    );
  });
});

describe('KEEL_ISA', () => {
  itNative(
    'pins an instruction set below the detected one; products agree with TypeScript',
    async () => {
      const isas = native!.info().isas;
      const before = getBackend();
      let reference: Float32Array;
      try {
        setBackend('ts');
        const a = randomUniform([37, 29], -1, 1, { rng: new Rng(1) });
        const b = randomUniform([29, 41], -1, 1, { rng: new Rng(2) });
        reference = matMul(a, b).data as Float32Array;
      } finally {
        setBackend(before);
      }
      for (const isa of ['avx2', 'scalar']) {
        const r = JSON.parse((await probes[`isa-${isa}`]!).out);
        // An ISA this CPU lacks falls back (with a warning) to the detected one.
        assert.equal(r.info.isa, isas.includes(isa) ? isa : isas[0], isa);
        assert.equal(r.out.length, reference.length);
        for (const [i, v] of (r.out as number[]).entries()) {
          assert.ok(
            Math.abs(v - reference[i]!) <= 1e-5 * (1 + Math.abs(reference[i]!)),
            `${isa} [${i}]`,
          );
        }
      }
      const bogus = await probes['isa-bogus']!;
      assert.equal(JSON.parse(bogus.out).info.isa, isas[0]);
      assert.match(bogus.err, /KEEL_ISA=bogus is not available here/);
    },
  );
});

describe('native thread pool', () => {
  itNative('keeps computing correctly while the thread count changes', () => {
    const b = native!;
    const before = b.info().threads;
    const n = 100_000;
    const x = new Float32Array(n).fill(2);
    const y = new Float32Array(n);
    try {
      for (let i = 0; i < 200; i++) {
        b.setNumThreads(1 + (i % 4));
        y.fill(0);
        b.unary(b.unaryOps.indexOf('square'), x, y, 0, 0);
        if (y[0] !== 4 || y[n - 1] !== 4 || y[n >> 1] !== 4)
          assert.fail(`iteration ${i}: wrong result`);
      }
    } finally {
      b.setNumThreads(before);
    }
  });
});
