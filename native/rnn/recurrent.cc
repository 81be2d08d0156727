// The time loops of the fused recurrent layers (see rnn.h), ISA-neutral: the per-ISA parts are
// the GEMM micro-kernel and packing (isa().gemm) and the elementwise cells (isa().rnn).
//
// One step is one product h·recurrentKernel for every gate, against the recurrent kernel packed
// once per call, and one fused elementwise pass. Batch rows never interact, so threads normally
// take chunks of rows and run the whole time loop on them without waiting for each other; when
// the batch is too small for that, threads split the units instead: each owns whole nr-column
// panels of every gate, computes its columns of the product and then its units' cells, and a step
// needs one barrier (the next product reads every unit's h). The weight and input gradients are
// GEMMs at the end.
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

#include "../dispatch.h"
#include "../gemm/gemm.h"
#include "../threadpool.h"
#include "rnn.h"

namespace keel {
namespace {

/** A 64-byte aligned, grow-only scratch buffer; throws std::bad_alloc when memory runs out. */
struct Buffer {
  float* p = nullptr;
  size_t n = 0;
  float* get(int64_t want_) {
    const size_t want = static_cast<size_t>(want_ > 0 ? want_ : 1);
    if (want > n) {
      std::free(p);
      p = static_cast<float*>(std::aligned_alloc(64, (want * sizeof(float) + 63) / 64 * 64));
      n = p ? want : 0;
      if (!p) throw std::bad_alloc();
    }
    return p;
  }
  ~Buffer() { std::free(p); }
};

// Scratch of the calling thread (the projection or its gradient, states, packed weights) and of
// every thread taking part in a step (its packed copy of the step's left operand).
thread_local Buffer tls_proj, tls_proj2, tls_hm, tls_state, tls_packed, tls_a;

constexpr int64_t KC = 256;
// Below this many multiply-adds per step a layer runs on one thread.
constexpr int64_t kParallelStepWork = 32 * 32 * 64;

inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
inline int64_t time_at(int64_t s, const RnnDims& d) { return d.go_backwards ? d.steps - 1 - s : s; }

/** `gates` right operands, each [K, N] with element (k, j) at src + g*gate_cols*cs + k*rs + j*cs,
 * packed in nr-column panels per KC block of k. */
struct Packed {
  const float* data;
  int64_t K, N, panels, gate_stride;
  int nr;

  Packed(const GemmIsa& k, const float* src, int64_t rs, int64_t cs, int64_t K_, int64_t N_,
         int gates, int64_t gate_cols, Buffer& buf)
      : K(K_), N(N_), nr(k.nr) {
    panels = ceil_div(N, nr);
    gate_stride = panels * nr * K;
    float* dst = buf.get(gates * gate_stride);
    data = dst;
    for (int g = 0; g < gates; g++)
      for (int64_t pc = 0; pc < K; pc += KC)
        k.pack_b(src + g * gate_cols * cs + pc * rs, rs, cs, static_cast<int>(N),
                 static_cast<int>(min64(KC, K - pc)), dst + g * gate_stride + pc * panels * nr);
  }
};

/**
 * Columns of panels [p0, p1) of every gate: C + g*c_gate + (its columns) = A · B_g, where A is
 * [M, K] with element (i, k) at A[i*ars + k*acs] (packed here by the calling thread).
 */
void step_product(const GemmIsa& k, const float* A, int64_t ars, int64_t acs, int64_t M,
                  const Packed& B, int gates, int64_t p0, int64_t p1, float* C, int64_t ldc,
                  int64_t c_gate) {
  if (M <= 0 || p0 >= p1) return;
  const int64_t mr = k.mr, nr = k.nr;
  float* ap = tls_a.get(ceil_div(M, mr) * mr * min64(KC, B.K));
  for (int64_t pc = 0; pc < B.K; pc += KC) {
    const int64_t kc = min64(KC, B.K - pc);
    k.pack_a(A + pc * acs, ars, acs, static_cast<int>(M), static_cast<int>(kc), ap);
    for (int g = 0; g < gates; g++) {
      const float* block = B.data + g * B.gate_stride + pc * B.panels * nr;
      for (int64_t p = p0; p < p1; p++) {
        const float* bp = block + p * nr * kc;
        const int nr_eff = static_cast<int>(min64(nr, B.N - p * nr));
        float* c = C + g * c_gate + p * nr;
        for (int64_t ir = 0; ir < M; ir += mr)
          k.micro(static_cast<int>(kc), ap + ir * kc, bp, c + ir * ldc, ldc,
                  static_cast<int>(min64(mr, M - ir)), nr_eff, pc > 0);
      }
    }
  }
}

/** Runs body(tid, nthreads) on up to nt threads of the pool (one region for the whole loop). */
template <class Body>
void region(int nt, const Body& body) {
  parallel_region(
      nt, [](void* p, int tid, int n) { (*static_cast<const Body*>(p))(tid, n); },
      const_cast<void*>(static_cast<const void*>(&body)));
}

/** The rows [b0, b1), panels [p0, p1) (of every gate) and units [j0, j1) one loop covers. */
struct Part {
  int64_t b0, b1, p0, p1, j0, j1;
};

/**
 * Runs loop(part, sync) over the whole layer, split over threads when a step is big enough:
 * by chunks of whole micro-tile rows of the batch when there are enough (each chunk runs the whole
 * time loop alone: batch rows never interact, so no thread waits for another), else by panels of
 * units with a barrier per step (sync true).
 */
template <class Loop>
void schedule(const RnnDims& d, int gates, const GemmIsa& k, int64_t panels, const Loop& loop) {
  const int64_t B = d.batch, U = d.units, mr = k.mr;
  int nt = num_threads();
  if (B * U * U * gates < kParallelStepWork) nt = 1;
  const int64_t chunks = ceil_div(B, mr);
  if (nt > 1 && chunks >= nt) {
    std::atomic<int64_t> next{0};
    region(nt, [&](int, int) {
      // Chunks are claimed as threads come, so a thread that starts late just takes fewer.
      for (int64_t c = next++; c < chunks; c = next++)
        loop(Part{c * mr, min64(B, (c + 1) * mr), 0, panels, 0, U}, false);
    });
  } else if (nt > 1 && panels > 1) {
    region(static_cast<int>(min64(nt, panels)), [&](int tid, int n) {
      const int64_t p0 = panels * tid / n, p1 = panels * (tid + 1) / n;
      loop(Part{0, B, p0, p1, min64(p0 * k.nr, U), min64(p1 * k.nr, U)}, n > 1);
    });
  } else {
    loop(Part{0, B, 0, panels, 0, U}, false);
  }
}

/** C [rows, cols] = op(A) · op(B) on every thread (see GemmArgs). */
void gemm(int64_t M, int64_t N, int64_t K, const float* A, int64_t ars, int64_t acs, const float* B,
          int64_t brs, int64_t bcs, float* C, int64_t ldc) {
  sgemm({M, N, K, A, ars, acs, B, brs, bcs, C, ldc, false}, num_threads());
}

/** out[c] = offset ? out[c] + Σ_r a[r, c] over a [rows, cols]: column sums, threaded by columns. */
void column_sums(const float* a, int64_t rows, int64_t cols, float* out) {
  std::memset(out, 0, static_cast<size_t>(cols) * sizeof(float));
  if (rows <= 0) return;
  parallel_for(cols, rows * cols >= (1 << 16) ? 64 : cols, [&](int64_t c0, int64_t c1) {
    for (int64_t r = 0; r < rows; r++) {
      const float* row = a + r * cols;
      for (int64_t c = c0; c < c1; c++) out[c] += row[c];
    }
  });
}

/** hm [b, T, u]: the recurrent-masked h fed into the step at time t, from hs [T + 1, b, u]. */
float* masked_inputs(const RnnDims& d, const float* hs, const float* rmask) {
  const int64_t B = d.batch, T = d.steps, U = d.units;
  float* hm = tls_hm.get(B * T * U);
  parallel_for(B * T, 64, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const int64_t b = r / T, s = time_at(r % T, d);
      const float* h = hs + (s * B + b) * U;
      const float* m = rmask + b * U;
      float* o = hm + r * U;
      for (int64_t j = 0; j < U; j++) o[j] = h[j] * m[j];
    }
  });
  return hm;
}

/** The end of backpropagation through time (rnn-common.ts inputProjectionGrads plus the
 * recurrent kernel's gradient): drk = hmᵀ·dR, dx = dP·kernelᵀ, dkernel = xᵀ·dP. */
void weight_grads(const RnnDims& d, int64_t G, const float* x, const float* kernel,
                  const float* hs, const float* rmask, const float* dP, const float* dR,
                  float* dx, float* dkernel, float* drk) {
  const int64_t rows = d.batch * d.steps, U = d.units, In = d.in;
  const float* hm = rows > 0 && U > 0 ? masked_inputs(d, hs, rmask) : nullptr;
  gemm(U, G, rows, hm, 1, U, dR, G, 1, drk, G);
  gemm(rows, In, G, dP, G, 1, kernel, 1, G, dx, In);
  gemm(In, G, rows, x, 1, In, dP, G, 1, dkernel, G);
}

/** The carried states' row b: dst[b] = src row b of a [batch, n, u] tensor at index i. */
void copy_rows(float* dst, const float* src, int64_t B, int64_t n, int64_t i, int64_t U,
               bool to_packed) {
  for (int64_t b = 0; b < B; b++) {
    float* o = to_packed ? dst + (b * n + i) * U : dst + b * U;
    const float* s = to_packed ? src + b * U : src + (b * n + i) * U;
    std::memcpy(o, s, static_cast<size_t>(U) * sizeof(float));
  }
}

inline bool valid(const float* mask, const RnnDims& d, int64_t b, int64_t t) {
  return mask[b * d.steps + t] != 0;
}

}  // namespace

void lstm_forward(const RnnDims& d, const float* x, const float* kernel, const float* rk,
                  const float* bias, const float* h0, const float* c0, const float* mask,
                  const float* rmask, float* y, float* gates, float* cs, float* hs) {
  const int64_t B = d.batch, T = d.steps, U = d.units, G = 4 * U;
  std::memcpy(hs, h0, static_cast<size_t>(B * U) * sizeof(float));
  std::memcpy(cs, c0, static_cast<size_t>(B * U) * sizeof(float));
  if (T > 0 && B > 0 && U > 0) {
    const GemmIsa& k = isa().gemm;
    const RnnIsa& cell = isa().rnn;
    float* P = tls_proj.get(B * T * G);
    gemm(B * T, G, d.in, x, d.in, 1, kernel, G, 1, P, G);
    const Packed rkp(k, rk, G, 1, U, U, 4, U, tls_packed);
    float* hm = tls_hm.get(2 * B * U);
    for (int64_t i = 0; i < B * U; i++) hm[i] = h0[i] * rmask[i];
    schedule(d, 4, k, rkp.panels, [&](const Part& q, bool sync) {
      for (int64_t s = 0; s < T; s++) {
        const int64_t t = time_at(s, d);
        const float* hm_cur = hm + (s & 1) * B * U;
        float* hm_next = hm + ((s + 1) & 1) * B * U;
        float* z = gates + s * B * G;
        step_product(k, hm_cur + q.b0 * U, U, 1, q.b1 - q.b0, rkp, 4, q.p0, q.p1, z + q.b0 * G, G, U);
        for (int64_t b = q.b0; b < q.b1; b++) {
          const LstmFwdRow row{z + b * G,
                               P + (b * T + t) * G,
                               bias,
                               cs + (s * B + b) * U,
                               cs + ((s + 1) * B + b) * U,
                               hs + (s * B + b) * U,
                               hs + ((s + 1) * B + b) * U,
                               y + (b * (T + 2) + s) * U,
                               rmask + b * U,
                               hm_next + b * U,
                               U,
                               valid(mask, d, b, t),
                               d.activation,
                               d.recurrent_activation};
          cell.lstm_fwd(row, q.j0, q.j1);
        }
        if (sync && s + 1 < T) region_barrier();
      }
    });
  }
  copy_rows(y, hs + T * B * U, B, T + 2, T, U, true);
  copy_rows(y, cs + T * B * U, B, T + 2, T + 1, U, true);
}

void lstm_backward(const RnnDims& d, const float* dy, const float* x, const float* kernel,
                   const float* rk, const float* gates, const float* cs, const float* hs,
                   const float* mask, const float* rmask, float* dx, float* dkernel, float* drk,
                   float* dbias, float* dh0, float* dc0) {
  const int64_t B = d.batch, T = d.steps, U = d.units, G = 4 * U;
  float* state = tls_state.get(3 * B * U);
  float *dh = state, *dc = state + B * U, *dh_rec = state + 2 * B * U;
  copy_rows(dh, dy, B, T + 2, T, U, false);
  copy_rows(dc, dy, B, T + 2, T + 1, U, false);
  float* dP = tls_proj.get(B * T * G);
  if (T > 0 && B > 0 && U > 0) {
    const GemmIsa& k = isa().gemm;
    const RnnIsa& cell = isa().rnn;
    const Packed rkt(k, rk, 1, G, G, U, 1, 0, tls_packed);
    schedule(d, 4, k, rkt.panels, [&](const Part& q, bool sync) {
      for (int64_t s = T - 1; s >= 0; s--) {
        const int64_t t = time_at(s, d);
        for (int64_t b = q.b0; b < q.b1; b++) {
          const LstmBwdRow row{gates + (s * B + b) * G,
                               cs + (s * B + b) * U,
                               cs + ((s + 1) * B + b) * U,
                               dy + (b * (T + 2) + s) * U,
                               dh + b * U,
                               dc + b * U,
                               dP + (b * T + t) * G,
                               U,
                               valid(mask, d, b, t),
                               d.activation,
                               d.recurrent_activation};
          cell.lstm_bwd(row, q.j0, q.j1);
        }
        if (sync) region_barrier();
        step_product(k, dP + (q.b0 * T + t) * G, T * G, 1, q.b1 - q.b0, rkt, 1, q.p0, q.p1,
                     dh_rec + q.b0 * U, U, 0);
        // A masked step passes dh and dc through unchanged.
        for (int64_t b = q.b0; b < q.b1; b++) {
          if (!valid(mask, d, b, t)) continue;
          for (int64_t j = q.j0; j < q.j1; j++) dh[b * U + j] = dh_rec[b * U + j] * rmask[b * U + j];
        }
      }
    });
  }
  weight_grads(d, G, x, kernel, hs, rmask, dP, dP, dx, dkernel, drk);
  column_sums(dP, B * T, G, dbias);
  std::memcpy(dh0, dh, static_cast<size_t>(B * U) * sizeof(float));
  std::memcpy(dc0, dc, static_cast<size_t>(B * U) * sizeof(float));
}

void gru_forward(const RnnDims& d, const float* x, const float* kernel, const float* rk,
                 const float* bias, const float* h0, const float* mask, const float* rmask,
                 float* y, float* gates, float* hs) {
  const int64_t B = d.batch, T = d.steps, U = d.units, G = 3 * U;
  std::memcpy(hs, h0, static_cast<size_t>(B * U) * sizeof(float));
  if (T > 0 && B > 0 && U > 0) {
    const GemmIsa& k = isa().gemm;
    const RnnIsa& cell = isa().rnn;
    float* P = tls_proj.get(B * T * G);
    gemm(B * T, G, d.in, x, d.in, 1, kernel, G, 1, P, G);
    const Packed rkp(k, rk, G, 1, U, U, 3, U, tls_packed);
    float* hm = tls_hm.get(2 * B * U);
    for (int64_t i = 0; i < B * U; i++) hm[i] = h0[i] * rmask[i];
    schedule(d, 3, k, rkp.panels, [&](const Part& q, bool sync) {
      for (int64_t s = 0; s < T; s++) {
        const int64_t t = time_at(s, d);
        const float* hm_cur = hm + (s & 1) * B * U;
        float* hm_next = hm + ((s + 1) & 1) * B * U;
        float* g = gates + s * B * 4 * U;
        step_product(k, hm_cur + q.b0 * U, U, 1, q.b1 - q.b0, rkp, 3, q.p0, q.p1, g + q.b0 * 4 * U,
                     4 * U, U);
        for (int64_t b = q.b0; b < q.b1; b++) {
          const GruFwdRow row{g + b * 4 * U,
                              P + (b * T + t) * G,
                              bias,
                              bias + G,
                              hs + (s * B + b) * U,
                              hs + ((s + 1) * B + b) * U,
                              y + (b * (T + 1) + s) * U,
                              rmask + b * U,
                              hm_next + b * U,
                              U,
                              valid(mask, d, b, t),
                              d.activation,
                              d.recurrent_activation};
          cell.gru_fwd(row, q.j0, q.j1);
        }
        if (sync && s + 1 < T) region_barrier();
      }
    });
  }
  copy_rows(y, hs + T * B * U, B, T + 1, T, U, true);
}

void gru_backward(const RnnDims& d, const float* dy, const float* x, const float* kernel,
                  const float* rk, const float* gates, const float* hs, const float* mask,
                  const float* rmask, float* dx, float* dkernel, float* drk, float* dbias,
                  float* dh0) {
  const int64_t B = d.batch, T = d.steps, U = d.units, G = 3 * U;
  float* state = tls_state.get(2 * B * U);
  float *dh = state, *dh_rec = state + B * U;
  copy_rows(dh, dy, B, T + 1, T, U, false);
  float* dP = tls_proj.get(B * T * G);
  float* dR = tls_proj2.get(B * T * G);
  if (T > 0 && B > 0 && U > 0) {
    const GemmIsa& k = isa().gemm;
    const RnnIsa& cell = isa().rnn;
    const Packed rkt(k, rk, 1, G, G, U, 1, 0, tls_packed);
    schedule(d, 3, k, rkt.panels, [&](const Part& q, bool sync) {
      for (int64_t s = T - 1; s >= 0; s--) {
        const int64_t t = time_at(s, d);
        for (int64_t b = q.b0; b < q.b1; b++) {
          const GruBwdRow row{gates + (s * B + b) * 4 * U,
                              hs + (s * B + b) * U,
                              dy + (b * (T + 1) + s) * U,
                              dh + b * U,
                              dP + (b * T + t) * G,
                              dR + (b * T + t) * G,
                              U,
                              valid(mask, d, b, t),
                              d.activation,
                              d.recurrent_activation};
          cell.gru_bwd(row, q.j0, q.j1);
        }
        if (sync) region_barrier();
        step_product(k, dR + (q.b0 * T + t) * G, T * G, 1, q.b1 - q.b0, rkt, 1, q.p0, q.p1,
                     dh_rec + q.b0 * U, U, 0);
        for (int64_t b = q.b0; b < q.b1; b++) {
          if (!valid(mask, d, b, t)) continue;
          for (int64_t j = q.j0; j < q.j1; j++) dh[b * U + j] += dh_rec[b * U + j] * rmask[b * U + j];
        }
      }
    });
  }
  weight_grads(d, G, x, kernel, hs, rmask, dP, dR, dx, dkernel, drk);
  column_sums(dP, B * T, G, dbias);
  column_sums(dR, B * T, G, dbias + G);
  std::memcpy(dh0, dh, static_cast<size_t>(B * U) * sizeof(float));
}

void simple_rnn_forward(const RnnDims& d, const float* x, const float* kernel, const float* rk,
                        const float* bias, const float* h0, const float* mask, const float* rmask,
                        float* y, float* hs) {
  const int64_t B = d.batch, T = d.steps, U = d.units;
  std::memcpy(hs, h0, static_cast<size_t>(B * U) * sizeof(float));
  if (T > 0 && B > 0 && U > 0) {
    const GemmIsa& k = isa().gemm;
    const RnnIsa& cell = isa().rnn;
    float* P = tls_proj.get(B * T * U);
    gemm(B * T, U, d.in, x, d.in, 1, kernel, U, 1, P, U);
    const Packed rkp(k, rk, U, 1, U, U, 1, 0, tls_packed);
    float* hm = tls_hm.get(2 * B * U);
    for (int64_t i = 0; i < B * U; i++) hm[i] = h0[i] * rmask[i];
    schedule(d, 1, k, rkp.panels, [&](const Part& q, bool sync) {
      for (int64_t s = 0; s < T; s++) {
        const int64_t t = time_at(s, d);
        const float* hm_cur = hm + (s & 1) * B * U;
        float* hm_next = hm + ((s + 1) & 1) * B * U;
        float* h_next = hs + (s + 1) * B * U;
        step_product(k, hm_cur + q.b0 * U, U, 1, q.b1 - q.b0, rkp, 1, q.p0, q.p1, h_next + q.b0 * U,
                     U, 0);
        for (int64_t b = q.b0; b < q.b1; b++) {
          const SimpleFwdRow row{h_next + b * U,
                                 P + (b * T + t) * U,
                                 bias,
                                 hs + (s * B + b) * U,
                                 y + (b * (T + 1) + s) * U,
                                 rmask + b * U,
                                 hm_next + b * U,
                                 U,
                                 valid(mask, d, b, t),
                                 d.activation};
          cell.simple_fwd(row, q.j0, q.j1);
        }
        if (sync && s + 1 < T) region_barrier();
      }
    });
  }
  copy_rows(y, hs + T * B * U, B, T + 1, T, U, true);
}

void simple_rnn_backward(const RnnDims& d, const float* dy, const float* x, const float* kernel,
                         const float* rk, const float* hs, const float* mask, const float* rmask,
                         float* dx, float* dkernel, float* drk, float* dbias, float* dh0) {
  const int64_t B = d.batch, T = d.steps, U = d.units;
  float* state = tls_state.get(2 * B * U);
  float *dh = state, *dh_rec = state + B * U;
  copy_rows(dh, dy, B, T + 1, T, U, false);
  float* dP = tls_proj.get(B * T * U);
  if (T > 0 && B > 0 && U > 0) {
    const GemmIsa& k = isa().gemm;
    const RnnIsa& cell = isa().rnn;
    const Packed rkt(k, rk, 1, U, U, U, 1, 0, tls_packed);
    schedule(d, 1, k, rkt.panels, [&](const Part& q, bool sync) {
      for (int64_t s = T - 1; s >= 0; s--) {
        const int64_t t = time_at(s, d);
        for (int64_t b = q.b0; b < q.b1; b++) {
          const SimpleBwdRow row{hs + ((s + 1) * B + b) * U,
                                 dy + (b * (T + 1) + s) * U,
                                 dh + b * U,
                                 dP + (b * T + t) * U,
                                 U,
                                 valid(mask, d, b, t),
                                 d.activation};
          cell.simple_bwd(row, q.j0, q.j1);
        }
        if (sync) region_barrier();
        step_product(k, dP + (q.b0 * T + t) * U, T * U, 1, q.b1 - q.b0, rkt, 1, q.p0, q.p1,
                     dh_rec + q.b0 * U, U, 0);
        for (int64_t b = q.b0; b < q.b1; b++) {
          if (!valid(mask, d, b, t)) continue;
          for (int64_t j = q.j0; j < q.j1; j++) dh[b * U + j] = dh_rec[b * U + j] * rmask[b * U + j];
        }
      }
    });
  }
  weight_grads(d, U, x, kernel, hs, rmask, dP, dP, dx, dkernel, drk);
  column_sums(dP, B * T, U, dbias);
  std::memcpy(dh0, dh, static_cast<size_t>(B * U) * sizeof(float));
}

}  // namespace keel
