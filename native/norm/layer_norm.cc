// Layer normalization as plain loops the compiler vectorizes: row statistics in double (as the
// TypeScript kernel), the normalization itself in float. Rows are split across the thread pool;
// the backward pass's dgamma/dbeta are summed per thread in double and added up at the end.
#include "layer_norm.h"

#include <cmath>
#include <vector>

#include "../scratch.h"
#include "../threadpool.h"

namespace keel {
namespace {

// Rows per task: at least this many elements, so small inputs stay on one thread.
constexpr int64_t kGrainElements = 1 << 15;

inline int64_t grain_rows(int64_t F) { return F > 0 ? kGrainElements / F + 1 : 1; }

// Sums in double over kLanes independent accumulators: a single running sum is one dependent
// add per element (latency-bound, ~4 cycles each); separate lanes let the compiler vectorize.
constexpr int kLanes = 8;

/** Σ x[f] in double. */
inline double sum_row(const float* x, int64_t F) {
  double acc[kLanes] = {};
  int64_t f = 0;
  for (; f + kLanes <= F; f += kLanes)
    for (int l = 0; l < kLanes; l++) acc[l] += x[f + l];
  for (; f < F; f++) acc[0] += x[f];
  double s = 0;
  for (int l = 0; l < kLanes; l++) s += acc[l];
  return s;
}

/** Σ (x[f] - m)² in double. */
inline double squared_deviation(const float* x, int64_t F, double m) {
  double acc[kLanes] = {};
  int64_t f = 0;
  for (; f + kLanes <= F; f += kLanes)
    for (int l = 0; l < kLanes; l++) {
      const double d = x[f + l] - m;
      acc[l] += d * d;
    }
  for (; f < F; f++) {
    const double d = x[f] - m;
    acc[0] += d * d;
  }
  double s = 0;
  for (int l = 0; l < kLanes; l++) s += acc[l];
  return s;
}

}  // namespace

void layer_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean,
                float* rstd, int64_t rows, int64_t F, double epsilon) {
  parallel_for(rows, grain_rows(F), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* xr = x + r * F;
      float* yr = y + r * F;
      const double m = sum_row(xr, F) / static_cast<double>(F);
      const double v = squared_deviation(xr, F, m);
      const double rs = 1 / std::sqrt(v / static_cast<double>(F) + epsilon);
      mean[r] = static_cast<float>(m);
      rstd[r] = static_cast<float>(rs);
      const float mf = static_cast<float>(m), rf = static_cast<float>(rs);
      if (gamma && beta)
        for (int64_t f = 0; f < F; f++) yr[f] = (xr[f] - mf) * rf * gamma[f] + beta[f];
      else if (gamma)
        for (int64_t f = 0; f < F; f++) yr[f] = (xr[f] - mf) * rf * gamma[f];
      else if (beta)
        for (int64_t f = 0; f < F; f++) yr[f] = (xr[f] - mf) * rf + beta[f];
      else
        for (int64_t f = 0; f < F; f++) yr[f] = (xr[f] - mf) * rf;
    }
  });
}

namespace {

struct Backward {
  const float *dy, *x, *mean, *rstd, *gamma;
  float* dx;
  bool want_params;
  int64_t rows, F;
  std::vector<double>* partial;  // [threads][2F]: dgamma then dbeta sums of each thread
};

void backward_rows(const Backward& b, int64_t r0, int64_t r1, double* acc_g, double* acc_b) {
  const int64_t F = b.F;
  std::vector<float> g(scratch_elements("layerNorm backward", {F})), xh(g.size());
  for (int64_t r = r0; r < r1; r++) {
    const float* dyr = b.dy + r * F;
    const float* xr = b.x + r * F;
    const float m = b.mean[r], rs = b.rstd[r];
    for (int64_t f = 0; f < F; f++) xh[f] = (xr[f] - m) * rs;
    if (b.gamma)
      for (int64_t f = 0; f < F; f++) g[f] = dyr[f] * b.gamma[f];
    else
      for (int64_t f = 0; f < F; f++) g[f] = dyr[f];
    double acc_sg[kLanes] = {}, acc_sgx[kLanes] = {};
    int64_t f = 0;
    for (; f + kLanes <= F; f += kLanes)
      for (int l = 0; l < kLanes; l++) {
        acc_sg[l] += g[f + l];
        acc_sgx[l] += static_cast<double>(g[f + l]) * xh[f + l];
      }
    for (; f < F; f++) {
      acc_sg[0] += g[f];
      acc_sgx[0] += static_cast<double>(g[f]) * xh[f];
    }
    double sum_g = 0, sum_gx = 0;
    for (int l = 0; l < kLanes; l++) {
      sum_g += acc_sg[l];
      sum_gx += acc_sgx[l];
    }
    if (b.want_params)
      for (int64_t f = 0; f < F; f++) {
        acc_g[f] += static_cast<double>(dyr[f]) * xh[f];
        acc_b[f] += dyr[f];
      }
    const float mg = static_cast<float>(sum_g / static_cast<double>(F));
    const float mgx = static_cast<float>(sum_gx / static_cast<double>(F));
    float* dxr = b.dx + r * F;
    for (int64_t f = 0; f < F; f++) dxr[f] = rs * (g[f] - mg - xh[f] * mgx);
  }
}

}  // namespace

void layer_norm_backward(const float* dy, const float* x, const float* mean, const float* rstd,
                         const float* gamma, float* dx, float* dgamma, float* dbeta, int64_t rows,
                         int64_t F) {
  if (rows == 0) {  // no rows: the parameter gradients are zero, and no scratch is needed
    for (int64_t f = 0; f < F; f++) {
      if (dgamma) dgamma[f] = 0;
      if (dbeta) dbeta[f] = 0;
    }
    return;
  }
  int threads = num_threads();
  const int64_t chunks = (rows + grain_rows(F) - 1) / grain_rows(F);
  if (chunks < threads) threads = static_cast<int>(chunks < 1 ? 1 : chunks);
  std::vector<double> partial(scratch_elements("layerNorm backward partial sums", {threads, 2, F}), 0.0);
  Backward b{dy, x, mean, rstd, gamma, dx, dgamma || dbeta, rows, F, &partial};
  if (threads <= 1) {
    backward_rows(b, 0, rows, partial.data(), partial.data() + F);
  } else {
    parallel_region(
        threads,
        [](void* p, int tid, int nt) {
          const Backward& b = *static_cast<const Backward*>(p);
          double* acc = b.partial->data() + static_cast<int64_t>(tid) * 2 * b.F;
          backward_rows(b, b.rows * tid / nt, b.rows * (tid + 1) / nt, acc, acc + b.F);
        },
        &b);
  }
  for (int64_t f = 0; f < F; f++) {
    double sg = 0, sb = 0;
    for (int t = 0; t < threads; t++) {
      sg += partial[static_cast<size_t>(t * 2 * F + f)];
      sb += partial[static_cast<size_t>(t * 2 * F + F + f)];
    }
    if (dgamma) dgamma[f] = static_cast<float>(sg);
    if (dbeta) dbeta[f] = static_cast<float>(sb);
  }
}

}  // namespace keel
