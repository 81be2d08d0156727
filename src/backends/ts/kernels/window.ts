import type { Conv2DAttrs, Pool2DAttrs } from '../../kernels.js';

/** True when a convolution reads each input pixel exactly once, in order: x is its own im2col. */
export function isPointwise(a: Conv2DAttrs): boolean {
  return (
    a.filterH === 1 &&
    a.filterW === 1 &&
    a.strideH === 1 &&
    a.strideW === 1 &&
    a.padTop === 0 &&
    a.padLeft === 0 &&
    a.outH === a.inH &&
    a.outW === a.inW
  );
}

/**
 * The pooling windows in output order (batch, then rows, then columns), one per output pixel;
 * after each `next()` that returns true, `o` is the pixel's offset in y [batch, outH, outW, C] (its
 * C channels follow), `b` its image, and input rows [hStart, hEnd) × columns [wStart, wEnd) the
 * part of its window inside the input (padding cells are left out). The kernel's own loop reads
 * them, so its per-channel loops run on locals with no call inside:
 * `for (const w = new PoolWindows(a); w.next(); ) { const { o, b, hStart, hEnd } = w; ... }`
 */
export class PoolWindows {
  o: number;
  b = 0;
  hStart = 0;
  hEnd = 0;
  wStart = 0;
  wEnd = 0;
  private oh = 0;
  private ow = -1;
  private left: number;

  constructor(private readonly a: Pool2DAttrs) {
    this.left = a.batch * a.outH * a.outW;
    this.o = -a.channels;
    this.rows();
  }

  /** Moves to the next window; false once every window has been visited. */
  next(): boolean {
    if (this.left <= 0) return false;
    this.left--;
    const a = this.a;
    this.o += a.channels;
    if (++this.ow === a.outW) {
      this.ow = 0;
      if (++this.oh === a.outH) {
        this.oh = 0;
        this.b++;
      }
      this.rows();
    }
    const w0 = this.ow * a.strideW - a.padLeft;
    this.wStart = Math.max(w0, 0);
    this.wEnd = Math.min(w0 + a.poolW, a.inW);
    return true;
  }

  private rows(): void {
    const h0 = this.oh * this.a.strideH - this.a.padTop;
    this.hStart = Math.max(h0, 0);
    this.hEnd = Math.min(h0 + this.a.poolH, this.a.inH);
  }
}
