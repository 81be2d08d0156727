// The register-blocked GEMM micro-kernel and the packing routines, written once against the
// vector abstraction and compiled per ISA (included by isa/*.cc inside keel::KEEL_ISA).
#pragma once
#include <cstdint>

namespace keel {
namespace KEEL_ISA {

/**
 * C[MR x NV*W] (+)= A panel [kc x MR] @ B panel [kc x NV*W]. The MR*NV accumulators stay in
 * registers for the whole k loop; each step loads NV vectors of B and broadcasts MR values of A.
 * Edge tiles (mr_eff < MR or nr_eff < NR) compute the full tile on the zero-padded panels and
 * store only the valid part, so NaN and Inf in the inputs still propagate.
 */
template <int MR, int NV>
static void gemm_micro(int kc, const float* __restrict ap, const float* __restrict bp,
                       float* __restrict c, int64_t ldc, int mr_eff, int nr_eff, bool accumulate) {
  F acc[MR][NV];
  for (int i = 0; i < MR; i++)
    for (int j = 0; j < NV; j++) acc[i][j] = zero();
  for (int i = 0; i < MR; i++) {
    __builtin_prefetch(c + i * ldc, 1);
    __builtin_prefetch(c + i * ldc + NV * W - 1, 1);  // the row's last line (C is not aligned)
  }
#pragma GCC unroll 4
  for (int k = 0; k < kc; k++) {
    // The packed panels are streamed in order: fetch a few steps ahead.
    __builtin_prefetch(bp + 8 * NV * W);
    __builtin_prefetch(ap + 16 * MR);
    F b[NV];
    for (int j = 0; j < NV; j++) b[j] = load(bp + j * W);
    for (int i = 0; i < MR; i++) {
      F a = set1(ap[i]);
      for (int j = 0; j < NV; j++) acc[i][j] = fma(a, b[j], acc[i][j]);
    }
    ap += MR;
    bp += NV * W;
  }
  constexpr int NR = NV * W;
  if (mr_eff == MR && nr_eff == NR) {
    for (int i = 0; i < MR; i++) {
      float* row = c + i * ldc;
      for (int j = 0; j < NV; j++) {
        F v = accumulate ? load(row + j * W) + acc[i][j] : acc[i][j];
        store(row + j * W, v);
      }
    }
    return;
  }
  for (int i = 0; i < mr_eff; i++) {
    float* row = c + i * ldc;
    for (int j = 0; j < NV; j++) {
      int n = nr_eff - j * W;
      if (n <= 0) break;
      if (n >= W) {
        store(row + j * W, accumulate ? load(row + j * W) + acc[i][j] : acc[i][j]);
      } else {
        F v = accumulate ? load_partial(row + j * W, n) + acc[i][j] : acc[i][j];
        store_partial(row + j * W, v, n);
      }
    }
  }
}

/** Packs `rows` rows (element (r, k) at src[r*rs + k*cs]) into P-row panels, zero-padded. */
template <int P>
static void gemm_pack(const float* src, int64_t rs, int64_t cs, int rows, int kc, float* dst) {
  for (int r0 = 0; r0 < rows; r0 += P) {
    int n = rows - r0 < P ? rows - r0 : P;
    const float* s = src + r0 * rs;
    if (rs == 1 && n == P) {
      // The P values of one k are adjacent: copy them with vector moves.
      for (int k = 0; k < kc; k++, dst += P) {
        const float* q = s + k * cs;
        int r = 0;
        for (; r + W <= P; r += W) store(dst + r, load(q + r));
        for (; r < P; r++) dst[r] = q[r];
      }
    } else if (cs == 1) {
      // Each row is contiguous along k: read it in order, write with stride P.
      for (int r = 0; r < n; r++) {
        const float* q = s + r * rs;
        for (int k = 0; k < kc; k++) dst[k * P + r] = q[k];
      }
      for (int r = n; r < P; r++)
        for (int k = 0; k < kc; k++) dst[k * P + r] = 0.0f;
      dst += P * kc;
    } else {
      for (int k = 0; k < kc; k++, dst += P) {
        for (int r = 0; r < n; r++) dst[r] = s[r * rs + k * cs];
        for (int r = n; r < P; r++) dst[r] = 0.0f;
      }
    }
  }
}

}  // namespace KEEL_ISA
}  // namespace keel
