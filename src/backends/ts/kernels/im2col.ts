import type { Conv2DAttrs } from '../../kernels.js';

/** Upper bound on the floats one im2col chunk holds, so large inputs are lowered piecewise. */
const CHUNK_FLOATS = 1 << 18;
let scratch = new Float32Array(0);

/** How many output pixels (rows of the lowered matrix) one chunk covers. */
export function chunkRows(a: Conv2DAttrs): number {
  const k = a.filterH * a.filterW * a.inC;
  return Math.max(16, Math.floor(CHUNK_FLOATS / Math.max(k, 1)));
}

/** A reusable buffer of at least n floats (the kernels run one at a time). Contents are stale. */
export function colBuffer(n: number): Float32Array {
  if (scratch.length < n) scratch = new Float32Array(Math.max(n, scratch.length * 2));
  return scratch;
}

/**
 * Lowers output pixels [r0, r0 + rows) of a convolution to rows of col: row r holds the receptive
 * field of pixel r0 + r in filter order (fh, fw, inC), `pad` (0) where it falls in the padding, so
 * col [rows, filterH*filterW*inC] @ filter [filterH*filterW*inC, outC] is the output.
 */
export function im2col<T extends Float32Array | Uint8Array | Int8Array>(
  x: T,
  a: Conv2DAttrs,
  r0: number,
  rows: number,
  col: T,
  pad = 0,
): void {
  const { inH, inW, inC, outH, outW, filterH, filterW } = a;
  let p = 0;
  for (let r = r0; r < r0 + rows; r++) {
    const ow = r % outW;
    const t = (r - ow) / outW;
    const oh = t % outH;
    const b = (t - oh) / outH;
    const h0 = oh * a.strideH - a.padTop;
    const w0 = ow * a.strideW - a.padLeft;
    for (let i = 0; i < filterH; i++) {
      const ih = h0 + i * a.dilationH;
      const rowInside = ih >= 0 && ih < inH;
      const rowBase = (b * inH + ih) * inW;
      for (let j = 0; j < filterW; j++) {
        const iw = w0 + j * a.dilationW;
        if (rowInside && iw >= 0 && iw < inW) {
          const s = (rowBase + iw) * inC;
          for (let c = 0; c < inC; c++) col[p + c] = x[s + c]!;
        } else {
          for (let c = 0; c < inC; c++) col[p + c] = pad;
        }
        p += inC;
      }
    }
  }
}

/** The adjoint of im2col: adds each row of col back onto the input pixels it was read from. */
export function col2im(
  col: Float32Array,
  a: Conv2DAttrs,
  r0: number,
  rows: number,
  dx: Float32Array,
): void {
  const { inH, inW, inC, outH, outW, filterH, filterW } = a;
  let p = 0;
  for (let r = r0; r < r0 + rows; r++) {
    const ow = r % outW;
    const t = (r - ow) / outW;
    const oh = t % outH;
    const b = (t - oh) / outH;
    const h0 = oh * a.strideH - a.padTop;
    const w0 = ow * a.strideW - a.padLeft;
    for (let i = 0; i < filterH; i++) {
      const ih = h0 + i * a.dilationH;
      const rowInside = ih >= 0 && ih < inH;
      const rowBase = (b * inH + ih) * inW;
      for (let j = 0; j < filterW; j++) {
        const iw = w0 + j * a.dilationW;
        if (rowInside && iw >= 0 && iw < inW) {
          const s = (rowBase + iw) * inC;
          for (let c = 0; c < inC; c++) dx[s + c]! += col[p + c]!;
        }
        p += inC;
      }
    }
  }
}
