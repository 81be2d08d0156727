/**
 * Native kernels on degenerate shapes: zero-size dimensions, windows larger than the input, no
 * queries against 2^32 - 1 keys, zero channels against huge filters. Small cases are compared with
 * the TypeScript reference in process; the boundary cases, which once aborted the process
 * (std::bad_alloc from a scratch buffer sized from an irrelevant dimension), run in a child process
 * (test/hostile/child.ts) so a regression is a failed test, not a dead runner.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AttentionAttrs, Conv2DAttrs } from '../../../src/backends/kernels.js';
import { assertCleanError, assertSurvived, runIsolated } from '../../hostile/child.js';
import {
  convGeometry as conv,
  expectConvMatchesReference,
  expectNormClose,
  forEachConfig,
  itNative,
  poolGeometry as pool,
  randomTensor,
  runOn,
  skip,
  zerosOf,
} from './native-helpers.js';

describe('native kernels on degenerate shapes match the TS reference', () => {
  itNative(
    'conv2d with zero channels, zero batch, empty images and filters larger than the input',
    () => {
      const cases: Conv2DAttrs[] = [
        conv(2, 5, 4, 0, 3, [3, 3]), // no input channels: y is zero
        conv(2, 5, 4, 3, 0, [3, 3]), // no output channels
        conv(2, 5, 4, 0, 0, [2, 2], [1, 1], [1, 1], true),
        conv(0, 5, 4, 3, 2, [3, 3], [2, 2]),
        conv(1, 0, 4, 3, 2, [1, 1]), // an empty image
        conv(1, 2, 3, 2, 2, [5, 7]), // the filter is larger than the input: no output pixels
        conv(1, 2, 3, 2, 2, [5, 7], [3, 3], [1, 1], true), // same padding: all taps outside
        conv(1, 3, 3, 1, 1, [2, 2], [1, 1], [4, 4], true), // dilation wider than the input
      ];
      expectConvMatchesReference(cases);
    },
  );

  itNative('pooling with windows larger than the input and empty inputs', () => {
    const cases = [
      pool(1, 2, 3, 2, [5, 5], [1, 1]), // the window is larger than the input
      pool(2, 0, 3, 2, [2, 2], [1, 1]),
      pool(1, 3, 3, 0, [2, 2], [2, 2]),
      pool(1, 2, 2, 3, [4, 4], [3, 3], true),
    ];
    for (const a of cases) {
      const x = randomTensor([a.batch, a.inH, a.inW, a.channels], 4);
      const outShape = [a.batch, a.outH, a.outW, a.channels];
      for (const name of ['maxPool2d', 'avgPool2d'] as const) {
        const expected = runOn('ts', name, [x], [zerosOf(outShape)], a)[0]!;
        forEachConfig(
          (isa, threads) => {
            const y = runOn('native', name, [x], [zerosOf(outShape)], a)[0]!;
            expectNormClose(y, expected, 1e-6, `${name} ${JSON.stringify(a)} (${isa}, ${threads})`);
          },
          [1, 2],
        );
      }
    }
  });

  itNative('attention with no queries, no heads or zero depth (outputs start as garbage)', () => {
    const NAME = 'scaledDotProductAttention';
    const shapes = [
      { H: 2, Tq: 0, Tk: 5, D: 3, Dv: 2 }, // no queries: dk and dv must be zeroed
      { H: 2, Tq: 3, Tk: 5, D: 0, Dv: 0 }, // nothing per key
      { H: 0, Tq: 3, Tk: 5, D: 3, Dv: 2 },
      { H: 1, Tq: 3, Tk: 1, D: 0, Dv: 4 },
    ];
    for (const { H, Tq, Tk, D, Dv } of shapes) {
      const attrs: AttentionAttrs = {
        heads: H,
        queries: Tq,
        keys: Tk,
        depth: D,
        valueDepth: Dv,
        scale: 0.5,
        causal: false,
        headsPerStep: 1,
        biasIndex: null,
      };
      const q = randomTensor([H, Tq, D], 5);
      const k = randomTensor([H, Tk, D], 6);
      const v = randomTensor([H, Tk, Dv], 7);
      const fwdOut = [randomTensor([H, Tq, Dv], 8), randomTensor([H, Tq], 9)];
      const [out, lse] = runOn('ts', NAME, [q, k, v], fwdOut, attrs);
      const bwdIn = [randomTensor([H, Tq, Dv], 10), q, k, v, out!, lse!];
      const bwdOut = [
        randomTensor([H, Tq, D], 11),
        randomTensor([H, Tk, D], 12),
        randomTensor([H, Tk, Dv], 13),
      ];
      const expected = runOn('ts', `${NAME}Backward`, bwdIn, bwdOut, attrs);
      forEachConfig(
        (isa, threads) => {
          const what = `${JSON.stringify({ H, Tq, Tk, D, Dv })} (${isa}, ${threads})`;
          const [o, l] = runOn('native', NAME, [q, k, v], fwdOut, attrs);
          expectNormClose(o!, out!, 1e-5, `out ${what}`);
          expectNormClose(l!, lse!, 1e-5, `lse ${what}`);
          const grads = runOn('native', `${NAME}Backward`, bwdIn, bwdOut, attrs);
          grads.forEach((g, i) => {
            expectNormClose(g, expected[i]!, 1e-5, `grad ${i} ${what}`);
          });
        },
        [1, 2],
      );
    }
  });
});

/** The statements a child runs first: the raw addon and a helper for the attrs arrays. */
const PRELUDE = `
const { nativeBinding } = await import(SRC + '/backends/native/index.ts');
const n = nativeBinding();
if (!n) throw new Error('native addon not loaded');
n.setNumThreads(3);
const f32 = (k) => new Float32Array(k);
const attrs = (...xs) => Float64Array.from(xs);
`;

describe('native kernels at 2^31 / 2^32 boundaries never crash (isolated child processes)', () => {
  const T = 2 ** 32 - 1;

  it('attention backward with no queries against 2^32 - 1 keys completes, with nothing to allocate', {
    skip,
  }, async () => {
    const r = await runIsolated(`${PRELUDE}
      // q, k, v [1, 0|${T}, 0]: every array is empty; the scratch once came from the key count.
      n.scaledDotProductAttentionBackward(f32(0), f32(0), f32(0), null, null, f32(0), f32(0), f32(0),
        f32(0), f32(0), f32(0), attrs(1, 0, ${T}, 0, 0, 1), 1, false);
      return 'done';`);
    assert.deepEqual(assertSurvived(r), { ok: true, value: 'done' });
  });

  it('attention forward whose scratch would be 2^32 floats is a clean error naming the kernel, on pool threads too', {
    skip,
  }, async () => {
    const r = await runIsolated(`${PRELUDE}
      // 8 heads, one query each, 2^32 - 1 keys of zero depth: threaded over heads, so the
      // allocation fails on worker threads and must be forwarded to this caller.
      n.scaledDotProductAttention(f32(0), f32(0), f32(0), null, null, f32(0), f32(8),
        attrs(8, 1, ${T}, 0, 0, 1), 1, false);`);
    const message = assertCleanError(r, /keel native scaledDotProductAttention: .*attention/);
    assert.match(message, new RegExp(String(T)));
  });

  it('conv2d input gradient with no output channels and a 2^32-tap filter completes', {
    skip,
  }, async () => {
    const r = await runIsolated(`${PRELUDE}
      // batch, inH, inW, inC, outH, outW, outC, filterH, filterW, strides, dilations, padding:
      // K = 65536 * 65536 taps but no output channel, so there is nothing to lower.
      const dx = f32(1).fill(7);
      n.conv2dBackpropInput(f32(0), f32(0), dx, attrs(1, 1, 1, 1, 1, 1, 0, 65536, 65536, 1, 1, 1, 1, 32768, 32768));
      return Array.from(dx);`);
    assert.deepEqual(assertSurvived(r), { ok: true, value: [7] });
  });

  it('layerNorm backward with no rows writes zero parameter gradients', { skip }, async () => {
    const r = await runIsolated(`${PRELUDE}
      const dg = f32(5).fill(3), db = f32(5).fill(3);
      n.layerNormBackward(f32(0), f32(0), f32(0), f32(0), f32(5), f32(0), dg, db, 0, 5);
      return [...dg, ...db];`);
    assert.deepEqual(assertSurvived(r), { ok: true, value: new Array(10).fill(0) });
  });

  it('bad sizes reaching the addon directly are clean errors, never aborts', { skip }, async () => {
    const r = await runIsolated(`${PRELUDE}
      const errors = [];
      const tryCall = (f) => { try { f(); errors.push(null); } catch (e) { errors.push(e.message); } };
      tryCall(() => n.conv2d(f32(4), f32(4), f32(4), attrs(1, 2, 2, 1, 2, 2, 1, 1, 1, 0, 1, 1, 1, 0, 0)));
      tryCall(() => n.conv2d(f32(4), f32(4), f32(4), attrs(1, 2, 2, 1, 2, 2, 1, 1, 1, 1, 1, -1, 1, 0, 0)));
      tryCall(() => n.gather(f32(4), Int32Array.from([4]), f32(1), 1, 4, 1));
      tryCall(() => n.gather(f32(4), Int32Array.from([-1]), f32(1), 1, 4, 1));
      tryCall(() => n.maxPool2d(f32(4), f32(1), attrs(1, 2, 2, 1, 1, 1, 0, 2, 1, 1, 0, 0)));
      tryCall(() => n.matMul(f32(1), f32(1), f32(1), 1, ${2 ** 31}, 1, 1, 0, 0, false, false, false));
      tryCall(() => n.scaledDotProductAttention(f32(0), f32(0), f32(0), null, null, f32(0), f32(0), attrs(1, 0, 0, 0, 0, 1), 1, false));
      return errors;`);
    const o = assertSurvived(r);
    assert.ok(o.ok, JSON.stringify(o));
    const errors = (o as { value: (string | null)[] }).value;
    assert.equal(errors.length, 7);
    for (const e of errors) assert.match(String(e), /^keel native \w+: /);
  });
});
