// Fused attention: per head and per block of up to kBlock query rows, the logits block [rows, Tk]
// is formed with the packed GEMM, turned into softmax weights in place (vector exp from the ISA
// table) and multiplied by v. Only the row log-sum-exp is saved; the backward pass recomputes the
// weights block by block. Memory is O(kBlock * Tk) per thread, whatever the sequence length.
// With the causal mask alone (no bias, Tk >= Tq), keys past a block's last visible key are never
// touched: their weights are exactly 0, as exp(-1e9 - max) is in the reference kernel.
#include "attention.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "../dispatch.h"
#include "../elementwise/ops.h"
#include "../gemm/gemm.h"
#include "../scratch.h"
#include "../threadpool.h"

namespace keel {
namespace {

constexpr int64_t kBlock = 64;
constexpr float kMasked = -1e9f;
// Below this many multiply-adds a chunk of heads is not worth waking a thread for.
constexpr int64_t kGrainWork = 1 << 16;

thread_local std::vector<float> tls_s;
thread_local std::vector<float> tls_dp;

inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/** C [M, N] (ldc) (+)= op(A) op(B), single-threaded (the caller is one task of a parallel loop). */
inline void gemm(int64_t M, int64_t N, int64_t K, const float* A, int64_t ars, int64_t acs,
                 const float* B, int64_t brs, int64_t bcs, float* C, int64_t ldc, bool acc) {
  sgemm(GemmArgs{M, N, K, A, ars, acs, B, brs, bcs, C, ldc, acc}, 1);
}

/** Where row 0 of head h of a [H, T, width] tensor starts (rows are n * width apart). */
inline int64_t head_offset(const AttentionArgs& a, int64_t h, int64_t T, int64_t width) {
  return ((h / a.n) * T * a.n + h % a.n) * width;
}

/** Keys a block of query rows [i0, i1) can see; all Tk unless the causal mask alone limits them. */
inline int64_t visible_keys(const AttentionArgs& a, int64_t i1) {
  if (!a.causal || a.bias || a.Tk < a.Tq) return a.Tk;
  return min64(a.Tk, i1 + a.Tk - a.Tq);
}

/**
 * The logits of rows [i0, i1) of head h over keys [0, nk) into s (row stride Tk), biased and
 * masked; returns how many leading keys of row i are visible through `valid` (the rest of
 * [0, nk) must get weight exactly 0).
 */
void logits_block(const AttentionArgs& a, int64_t h, int64_t i0, int64_t i1, int64_t nk,
                  float* s, int64_t* valid) {
  const int64_t qs = a.n * a.D;  // the row stride of q and k
  const float* q = a.q + head_offset(a, h, a.Tq, a.D) + i0 * qs;
  const float* k = a.k + head_offset(a, h, a.Tk, a.D);
  gemm(i1 - i0, nk, a.D, q, qs, 1, k, 1, qs, s, a.Tk, false);
  const bool truncated = nk < a.Tk || (a.causal && !a.bias && a.Tk >= a.Tq);
  const float* bias = a.bias ? a.bias + static_cast<int64_t>(a.bias_index[h]) * a.Tq * a.Tk : nullptr;
  for (int64_t i = i0; i < i1; i++) {
    float* row = s + (i - i0) * a.Tk;
    const int64_t last = i + a.Tk - a.Tq;  // the last key the causal mask lets through
    // Branch-free loops (vectorized); the causal mask then overwrites the keys it hides.
    if (bias) {
      const float* b = bias + i * a.Tk;
      for (int64_t j = 0; j < nk; j++) row[j] = row[j] * a.scale + b[j];
    } else {
      for (int64_t j = 0; j < nk; j++) row[j] *= a.scale;
    }
    if (a.causal)
      for (int64_t j = last + 1 < 0 ? 0 : last + 1; j < nk; j++) row[j] = kMasked;
    valid[i - i0] = truncated ? min64(nk, last + 1) : nk;
  }
}

/** The largest of row[0, n) (NaN if any is NaN), with four independent running maxima. */
inline float row_max(const float* row, int64_t n) {
  float m[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
  bool nan = false;
  int64_t j = 0;
  for (; j + 4 <= n; j += 4)
    for (int l = 0; l < 4; l++) {
      const float x = row[j + l];
      m[l] = x > m[l] ? x : m[l];
      nan |= x != x;
    }
  for (; j < n; j++) {
    m[0] = row[j] > m[0] ? row[j] : m[0];
    nan |= row[j] != row[j];
  }
  const float a = m[0] > m[1] ? m[0] : m[1], b = m[2] > m[3] ? m[2] : m[3];
  return nan ? NAN : a > b ? a : b;
}

/** Σ row[0, n) through the ISA's vector sum (folded into double). */
inline double row_sum(const float* row, int64_t n) {
  float total;
  isa().elementwise.reduce(static_cast<int>(ReduceOp::sum), row, &total, 1, n, 1, 1);
  return total;
}

/** row[j] = exp(row[j] - shift) for j < n (vector exp of the current ISA). */
inline void exp_shifted(float* row, int64_t n, float shift) {
  for (int64_t j = 0; j < n; j++) row[j] -= shift;
  isa().elementwise.unary(static_cast<int>(UnaryOp::exp), row, row, n, 0, 0);
}

// Rows of a query block times the keys: sized from the block actually used (min(Tq, kBlock)), so an
// empty query side never sizes a buffer from a huge key side; checked for overflow (scratch.h).
float* scratch(std::vector<float>& v, const AttentionArgs& a) {
  const size_t n = scratch_elements("attention", {min64(a.Tq, kBlock), a.Tk});
  if (v.size() < n) v.resize(n);
  return v.data();
}

}  // namespace

void attention_forward(const AttentionArgs& a, float* out, float* lse) {
  const int64_t blocks = (a.Tq + kBlock - 1) / kBlock;
  const int64_t work = min64(a.Tq, kBlock) * a.Tk * (a.D + a.Dv) + 1;
  parallel_for(a.H * blocks, kGrainWork / work + 1, [&](int64_t t0, int64_t t1) {
    float* s = scratch(tls_s, a);
    int64_t valid[kBlock];
    for (int64_t t = t0; t < t1; t++) {
      const int64_t h = t / blocks, i0 = t % blocks * kBlock, i1 = min64(a.Tq, i0 + kBlock);
      const int64_t nk = visible_keys(a, i1);
      logits_block(a, h, i0, i1, nk, s, valid);
      for (int64_t i = i0; i < i1; i++) {
        float* row = s + (i - i0) * a.Tk;
        const int64_t n = valid[i - i0];
        const float m = row_max(row, n);
        exp_shifted(row, n, m);
        const double l = row_sum(row, n);
        const float inv = static_cast<float>(1 / l);
        for (int64_t j = 0; j < n; j++) row[j] *= inv;
        for (int64_t j = n; j < nk; j++) row[j] = 0;
        lse[h * a.Tq + i] = static_cast<float>(m + std::log(l));
      }
      const int64_t vs = a.n * a.Dv;
      gemm(i1 - i0, a.Dv, nk, s, a.Tk, 1, a.v + head_offset(a, h, a.Tk, a.Dv), vs, 1,
           out + head_offset(a, h, a.Tq, a.Dv) + i0 * vs, vs, false);
    }
  });
}

void attention_backward(const AttentionArgs& a, const float* dout, const float* out,
                        const float* lse, float* dq, float* dk, float* dv) {
  if (a.Tq == 0 || (a.D == 0 && a.Dv == 0)) {
    // No queries (or nothing per key): the key and value gradients are zero, dq is empty or zero.
    // Lengths the entry point checked against the arrays (attention_napi.cc).
    std::memset(dk, 0, static_cast<size_t>(a.H * a.Tk * a.D) * sizeof(float));
    std::memset(dv, 0, static_cast<size_t>(a.H * a.Tk * a.Dv) * sizeof(float));
    return;
  }
  const int64_t work = a.Tq * a.Tk * (2 * a.D + 2 * a.Dv) + 1;
  parallel_for(a.H, kGrainWork / work + 1, [&](int64_t h0, int64_t h1) {
    float* p = scratch(tls_s, a);
    float* ds = scratch(tls_dp, a);
    int64_t valid[kBlock];
    const int64_t qs = a.n * a.D, vs = a.n * a.Dv;  // row strides
    for (int64_t h = h0; h < h1; h++) {
      float* dkh = dk + head_offset(a, h, a.Tk, a.D);
      float* dvh = dv + head_offset(a, h, a.Tk, a.Dv);
      const float* vh = a.v + head_offset(a, h, a.Tk, a.Dv);
      const float* kh = a.k + head_offset(a, h, a.Tk, a.D);
      for (int64_t j = 0; j < a.Tk; j++) {
        std::memset(dkh + j * qs, 0, sizeof(float) * a.D);
        std::memset(dvh + j * vs, 0, sizeof(float) * a.Dv);
      }
      for (int64_t i0 = 0; i0 < a.Tq; i0 += kBlock) {
        const int64_t i1 = min64(a.Tq, i0 + kBlock), rows = i1 - i0;
        const int64_t nk = visible_keys(a, i1);
        const float* dO = dout + head_offset(a, h, a.Tq, a.Dv) + i0 * vs;
        const float* ob = out + head_offset(a, h, a.Tq, a.Dv) + i0 * vs;
        const float* qb = a.q + head_offset(a, h, a.Tq, a.D) + i0 * qs;
        logits_block(a, h, i0, i1, nk, p, valid);
        for (int64_t i = i0; i < i1; i++) {
          float* row = p + (i - i0) * a.Tk;
          const int64_t n = valid[i - i0];
          exp_shifted(row, n, lse[h * a.Tq + i]);
          for (int64_t j = n; j < nk; j++) row[j] = 0;
        }
        // dv += pᵀ dO and dp = dO vᵀ.
        gemm(nk, a.Dv, rows, p, 1, a.Tk, dO, vs, 1, dvh, vs, true);
        gemm(rows, nk, a.Dv, dO, vs, 1, vh, 1, vs, ds, a.Tk, false);
        for (int64_t i = 0; i < rows; i++) {
          const float* o = ob + i * vs;
          const float* g = dO + i * vs;
          float part[4] = {0, 0, 0, 0};
          int64_t c = 0;
          for (; c + 4 <= a.Dv; c += 4)
            for (int l = 0; l < 4; l++) part[l] += g[c + l] * o[c + l];
          for (; c < a.Dv; c++) part[0] += g[c] * o[c];
          const float d = (part[0] + part[1]) + (part[2] + part[3]);
          const float* pr = p + i * a.Tk;
          float* dr = ds + i * a.Tk;
          for (int64_t j = 0; j < nk; j++) dr[j] = pr[j] * (dr[j] - d) * a.scale;
        }
        // dq = ds k and dk += dsᵀ q.
        gemm(rows, a.D, nk, ds, a.Tk, 1, kh, qs, 1, dq + head_offset(a, h, a.Tq, a.D) + i0 * qs,
             qs, false);
        gemm(nk, a.D, rows, ds, 1, a.Tk, qb, qs, 1, dkh, qs, true);
      }
    }
  });
}

}  // namespace keel
