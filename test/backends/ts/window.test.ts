import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pool2DAttrs } from '../../../src/backends/kernels.js';
import { PoolWindows } from '../../../src/backends/ts/kernels/window.js';

/** The windows as the nested loops that PoolWindows replaced enumerate them. */
function nested(a: Pool2DAttrs): number[][] {
  const out: number[][] = [];
  let o = 0;
  for (let b = 0; b < a.batch; b++)
    for (let oh = 0; oh < a.outH; oh++) {
      const h0 = oh * a.strideH - a.padTop;
      for (let ow = 0; ow < a.outW; ow++, o += a.channels) {
        const w0 = ow * a.strideW - a.padLeft;
        out.push([
          o,
          b,
          Math.max(h0, 0),
          Math.min(h0 + a.poolH, a.inH),
          Math.max(w0, 0),
          Math.min(w0 + a.poolW, a.inW),
        ]);
      }
    }
  return out;
}

describe('PoolWindows', () => {
  const base: Pool2DAttrs = {
    ...{ batch: 2, inH: 5, inW: 4, channels: 3, outH: 3, outW: 2 },
    ...{ poolH: 3, poolW: 2, strideH: 2, strideW: 2, padTop: 1, padLeft: 0 },
  };
  const cases: [string, Partial<Pool2DAttrs>][] = [
    ['strided, padded', {}],
    ['one pixel', { batch: 1, inH: 1, inW: 1, outH: 1, outW: 1, poolH: 1, poolW: 1, padTop: 0 }],
    ['empty batch', { batch: 0 }],
    ['no output rows', { outH: 0 }],
    ['no output columns', { outW: 0 }],
  ];
  for (const [name, change] of cases) {
    it(`visits the windows of the nested loops, in order: ${name}`, () => {
      const a = { ...base, ...change };
      const seen: number[][] = [];
      for (const w = new PoolWindows(a); w.next(); )
        seen.push([w.o, w.b, w.hStart, w.hEnd, w.wStart, w.wEnd]);
      assert.deepEqual(seen, nested(a));
    });
  }
});
