/**
 * Direct-loop references for the sliding-window ops (conv2d and its two backprops, pooling),
 * written independently of the kernels: padding follows TF's formula, every sum is a plain loop.
 */
import type { Tensor } from '../../src/tensor/tensor.js';

export type Pad = 'valid' | 'same' | [[number, number], [number, number]];

export interface Geometry {
  b: number;
  h: number;
  w: number;
  c: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  oh: number;
  ow: number;
  top: number;
  left: number;
}

function axis(pad: Pad, i: 0 | 1, n: number, k: number, s: number, d: number) {
  const eff = (k - 1) * d + 1;
  if (pad === 'same') {
    const out = Math.ceil(n / s);
    return { out, before: Math.floor(Math.max((out - 1) * s + eff - n, 0) / 2) };
  }
  const [before, after] = pad === 'valid' ? [0, 0] : pad[i];
  return { out: Math.floor((n + before + after - eff) / s) + 1, before };
}

export function geometry(
  xShape: readonly number[],
  k: [number, number],
  s: [number, number],
  d: [number, number],
  pad: Pad,
): Geometry {
  const [b, h, w, c] = xShape as [number, number, number, number];
  const y = axis(pad, 0, h, k[0], s[0], d[0]);
  const x = axis(pad, 1, w, k[1], s[1], d[1]);
  return {
    b,
    h,
    w,
    c,
    kh: k[0],
    kw: k[1],
    sh: s[0],
    sw: s[1],
    dh: d[0],
    dw: d[1],
    oh: y.out,
    ow: x.out,
    top: y.before,
    left: x.before,
  };
}

/** Calls f(outIndex, inIndex or -1 for padding, tap (i, j)) for every window cell of every output pixel. */
function forEachTap(
  g: Geometry,
  f: (b: number, oh: number, ow: number, i: number, j: number, inPixel: number) => void,
): void {
  for (let b = 0; b < g.b; b++)
    for (let oh = 0; oh < g.oh; oh++)
      for (let ow = 0; ow < g.ow; ow++)
        for (let i = 0; i < g.kh; i++)
          for (let j = 0; j < g.kw; j++) {
            const ih = oh * g.sh - g.top + i * g.dh;
            const iw = ow * g.sw - g.left + j * g.dw;
            const inside = ih >= 0 && ih < g.h && iw >= 0 && iw < g.w;
            f(b, oh, ow, i, j, inside ? (b * g.h + ih) * g.w + iw : -1);
          }
}

export function naiveConv2d(x: Tensor, w: Tensor, g: Geometry): number[] {
  const co = w.shape[3]!;
  const y = new Float64Array(g.b * g.oh * g.ow * co);
  forEachTap(g, (b, oh, ow, i, j, p) => {
    if (p < 0) return;
    for (let ci = 0; ci < g.c; ci++)
      for (let o = 0; o < co; o++)
        y[((b * g.oh + oh) * g.ow + ow) * co + o]! +=
          x.data[p * g.c + ci]! * w.data[((i * g.kw + j) * g.c + ci) * co + o]!;
  });
  return Array.from(y);
}

export function naiveBackpropInput(dy: Tensor, w: Tensor, g: Geometry): number[] {
  const co = w.shape[3]!;
  const dx = new Float64Array(g.b * g.h * g.w * g.c);
  forEachTap(g, (b, oh, ow, i, j, p) => {
    if (p < 0) return;
    for (let ci = 0; ci < g.c; ci++)
      for (let o = 0; o < co; o++)
        dx[p * g.c + ci]! +=
          dy.data[((b * g.oh + oh) * g.ow + ow) * co + o]! *
          w.data[((i * g.kw + j) * g.c + ci) * co + o]!;
  });
  return Array.from(dx);
}

export function naiveBackpropFilter(x: Tensor, dy: Tensor, g: Geometry, co: number): number[] {
  const dw = new Float64Array(g.kh * g.kw * g.c * co);
  forEachTap(g, (b, oh, ow, i, j, p) => {
    if (p < 0) return;
    for (let ci = 0; ci < g.c; ci++)
      for (let o = 0; o < co; o++)
        dw[((i * g.kw + j) * g.c + ci) * co + o]! +=
          x.data[p * g.c + ci]! * dy.data[((b * g.oh + oh) * g.ow + ow) * co + o]!;
  });
  return Array.from(dw);
}

/** Max or mean over each window's cells inside the input (padding ignored). */
export function naivePool(x: Tensor, g: Geometry, kind: 'max' | 'avg'): number[] {
  const y = new Float64Array(g.b * g.oh * g.ow * g.c).fill(kind === 'max' ? -Infinity : 0);
  const count = new Float64Array(g.b * g.oh * g.ow);
  forEachTap(g, (b, oh, ow, _i, _j, p) => {
    if (p < 0) return;
    const o = (b * g.oh + oh) * g.ow + ow;
    count[o]!++;
    for (let c = 0; c < g.c; c++) {
      const v = x.data[p * g.c + c]!;
      y[o * g.c + c] = kind === 'max' ? Math.max(y[o * g.c + c]!, v) : y[o * g.c + c]! + v;
    }
  });
  if (kind === 'avg') for (let i = 0; i < y.length; i++) y[i]! /= count[Math.floor(i / g.c)]!;
  return Array.from(y);
}
