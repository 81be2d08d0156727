/**
 * The one matrix-multiply routine of the TypeScript backend, shared by matMul and the convolution
 * kernels: C += op(A) @ op(B), with op(A) [M, K] and op(B) [K, N] read through strides, so each
 * transpose combination is only a different packing order.
 *
 * Layout follows the GotoBLAS/BLIS scheme: op(B) is copied in [KC, NC] blocks into 4-column panels,
 * op(A) in [MC, KC] blocks into 4-row panels (both as Float64, which V8 loads without conversion),
 * and a 4x4 micro-kernel keeps its 16 sums in locals while it streams the two panels. Blocks are
 * sized so one A block stays in L2 and one pair of panels in L1. Panels are padded with zeros and
 * the edge tiles store only their valid part, so NaN/Inf in the inputs still propagate.
 */
const KC = 384;
const MC = 96;
const NC = 1024;
const packA = new Float64Array(MC * KC);
const packB = new Float64Array(KC * NC);
const edge = new Float64Array(16);

/**
 * C[co + i*N + j] += sum_k op(A)[i, k] op(B)[k, j]. A is [M, K] at `ao` ([K, M] when `tA`), B is
 * [K, N] at `bo` ([N, K] when `tB`); C is [M, N] at `co`, row-major. C is accumulated into, not set.
 */
export function gemm(
  A: Float32Array,
  ao: number,
  B: Float32Array,
  bo: number,
  C: Float32Array,
  co: number,
  M: number,
  N: number,
  K: number,
  tA: boolean,
  tB: boolean,
): void {
  // op(A)[i, k] = A[ao + i*ars + k*acs]; op(B)[k, j] = B[bo + k*brs + j*bcs].
  const ars = tA ? 1 : K;
  const acs = tA ? M : 1;
  const brs = tB ? 1 : N;
  const bcs = tB ? K : 1;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = Math.min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      // The columns of op(B) are packed like rows of A: "row" j has stride bcs, k has stride brs.
      pack(B, bo + pc * brs + jc * bcs, bcs, brs, nc, kc, packB);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = Math.min(MC, M - ic);
        pack(A, ao + ic * ars + pc * acs, ars, acs, mc, kc, packA);
        for (let j0 = 0; j0 < nc; j0 += 4) {
          const nr = Math.min(4, nc - j0);
          for (let i0 = 0; i0 < mc; i0 += 4) {
            const mr = Math.min(4, mc - i0);
            micro(packA, i0 * kc, packB, j0 * kc, kc, C, co + (ic + i0) * N + jc + j0, N, mr, nr);
          }
        }
      }
    }
  }
}

/**
 * Copies the [rows, kc] block whose element (r, k) is src[base + r*rs + k*cs] into panels of 4
 * rows, k-major within a panel (dst[panel*4*kc + k*4 + r]); a short last panel is zero-padded.
 */
function pack(
  src: Float32Array,
  base: number,
  rs: number,
  cs: number,
  rows: number,
  kc: number,
  dst: Float64Array,
): void {
  let p = 0;
  for (let r0 = 0; r0 < rows; r0 += 4) {
    const n = rows - r0;
    const b = base + r0 * rs;
    if (n >= 4 && rs === 1) {
      // The 4 rows are adjacent in memory: copy 4 at a time along k.
      for (let k = 0, s = b; k < kc; k++, s += cs, p += 4) {
        dst[p] = src[s]!;
        dst[p + 1] = src[s + 1]!;
        dst[p + 2] = src[s + 2]!;
        dst[p + 3] = src[s + 3]!;
      }
    } else if (n >= 4) {
      // Each row is contiguous along k (cs is 1 here): read it in order, write with stride 4.
      for (let r = 0; r < 4; r++) {
        for (let k = 0, s = b + r * rs, q = p + r; k < kc; k++, s += cs, q += 4) dst[q] = src[s]!;
      }
      p += 4 * kc;
    } else {
      for (let k = 0; k < kc; k++) {
        const s = b + k * cs;
        for (let r = 0; r < 4; r++) dst[p++] = r < n ? src[s + r * rs]! : 0;
      }
    }
  }
}

/** C[c .. +mr rows, .. +nr cols] += (4-row panel at a) @ (4-column panel at b) over kc steps. */
// biome-ignore format: the 16 sums are laid out as the 4x4 tile they are
function micro(
  Ap: Float64Array,
  a: number,
  Bp: Float64Array,
  b: number,
  kc: number,
  C: Float32Array,
  c: number,
  ldc: number,
  mr: number,
  nr: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let k = 0; k < kc; k++, a += 4, b += 4) {
    const a0 = Ap[a]!;
    const a1 = Ap[a + 1]!;
    const a2 = Ap[a + 2]!;
    const a3 = Ap[a + 3]!;
    const b0 = Bp[b]!;
    const b1 = Bp[b + 1]!;
    const b2 = Bp[b + 2]!;
    const b3 = Bp[b + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  if (mr === 4 && nr === 4) {
    C[c] += c00; C[c + 1] += c01; C[c + 2] += c02; C[c + 3] += c03; c += ldc;
    C[c] += c10; C[c + 1] += c11; C[c + 2] += c12; C[c + 3] += c13; c += ldc;
    C[c] += c20; C[c + 1] += c21; C[c + 2] += c22; C[c + 3] += c23; c += ldc;
    C[c] += c30; C[c + 1] += c31; C[c + 2] += c32; C[c + 3] += c33;
    return;
  }
  const e = edge;
  e[0] = c00; e[1] = c01; e[2] = c02; e[3] = c03; e[4] = c10; e[5] = c11; e[6] = c12; e[7] = c13;
  e[8] = c20; e[9] = c21; e[10] = c22; e[11] = c23; e[12] = c30; e[13] = c31; e[14] = c32; e[15] = c33;
  for (let r = 0; r < mr; r++) for (let j = 0; j < nr; j++) C[c + r * ldc + j]! += e[r * 4 + j]!;
}
