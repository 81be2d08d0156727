// Row kernels of native/softmax/: a scalar pass for the maximum, the ISA's vector exp, sums in
// double (like the TypeScript kernels). Threaded over rows.
#include "softmax.h"

#include <cmath>
#include <vector>

#include "../dispatch.h"
#include "../elementwise/ops.h"
#include "../scratch.h"
#include "../threadpool.h"

namespace keel {
namespace {

constexpr int kExp = static_cast<int>(UnaryOp::exp);

/** The row maximum, 0 when it is not finite (an all -Inf row must not become NaN by shifting). */
float row_max(const float* x, int64_t C) {
  float m = -INFINITY;
  for (int64_t i = 0; i < C; i++)
    if (x[i] > m) m = x[i];
  return std::isfinite(m) ? m : 0.0f;
}

/** e[i] = exp(x[i] - m); returns Σ e in double. */
double shifted_exp(const float* x, float m, float* e, int64_t C, const Isa& isa) {
  for (int64_t i = 0; i < C; i++) e[i] = x[i] - m;
  isa.elementwise.unary(kExp, e, e, C, 0.0f, 0.0f);
  double s = 0;
  for (int64_t i = 0; i < C; i++) s += e[i];
  return s;
}

/** Runs row(offset, scratch) per row, threaded in chunks of about 64K elements (exp is cheap). */
template <class Row>
void for_each_row(int64_t rows, int64_t C, const Row& row) {
  parallel_for(rows, 65536 / (C > 0 ? C : 1) + 1, [&](int64_t r0, int64_t r1) {
    std::vector<float> scratch(scratch_elements("softmax", {C}));
    for (int64_t r = r0; r < r1; r++) row(r * C, scratch.data());
  });
}

}  // namespace

void softmax_rows(const float* x, float* y, int64_t rows, int64_t C, bool log) {
  if (C == 0) return;
  const Isa& isa = keel::isa();
  for_each_row(rows, C, [&](int64_t at, float* e) {
    const float* xr = x + at;
    float* yr = y + at;
    const float m = row_max(xr, C);
    if (log) {
      // In double, like the TS kernel: m + log Σ rounded to float first loses the small result
      // of x - shift when |x| is large (logSoftmax([-1000, -1000]) was off by ~500 ulp).
      const double shift = m + std::log(shifted_exp(xr, m, e, C, isa));
      for (int64_t i = 0; i < C; i++) yr[i] = static_cast<float>(xr[i] - shift);
    } else {
      const float inv = static_cast<float>(1.0 / shifted_exp(xr, m, yr, C, isa));
      for (int64_t i = 0; i < C; i++) yr[i] *= inv;
    }
  });
}

void softmax_backward_rows(const float* dy, const float* y, float* dx, int64_t rows, int64_t C,
                           bool log) {
  if (C == 0) return;
  const Isa& isa = keel::isa();
  for_each_row(rows, C, [&](int64_t at, float* e) {
    const float* g = dy + at;
    const float* yr = y + at;
    float* d = dx + at;
    double s = 0;
    if (log) {
      for (int64_t i = 0; i < C; i++) s += g[i];
      isa.elementwise.unary(kExp, yr, e, C, 0.0f, 0.0f);
      const float sf = static_cast<float>(s);
      for (int64_t i = 0; i < C; i++) d[i] = g[i] - e[i] * sf;
    } else {
      for (int64_t i = 0; i < C; i++) s += static_cast<double>(g[i]) * yr[i];
      const float sf = static_cast<float>(s);
      for (int64_t i = 0; i < C; i++) d[i] = yr[i] * (g[i] - sf);
    }
  });
}

void softmax_xent(const float* logits, const float* targets, float* loss, float* grad,
                  int64_t rows, int64_t C) {
  const Isa& isa = keel::isa();
  if (C == 0) {
    for (int64_t r = 0; r < rows; r++) loss[r] = 0;
    return;
  }
  for_each_row(rows, C, [&](int64_t at, float*) {
    const float* xr = logits + at;
    const float* t = targets + at;
    float* g = grad + at;
    const float m = row_max(xr, C);
    const double sum = shifted_exp(xr, m, g, C, isa);
    const double lse = m + std::log(sum);
    double tsum = 0, tx = 0;
    for (int64_t i = 0; i < C; i++) {
      tsum += t[i];
      tx += static_cast<double>(t[i]) * xr[i];
    }
    loss[at / C] = static_cast<float>(lse * tsum - tx);
    const float scale = static_cast<float>(tsum / sum);
    for (int64_t i = 0; i < C; i++) g[i] = g[i] * scale - t[i];
  });
}

void sparse_softmax_xent(const float* logits, const int32_t* labels, float* loss, float* grad,
                         int64_t rows, int64_t C) {
  const Isa& isa = keel::isa();
  if (C == 0) {
    for (int64_t r = 0; r < rows; r++) loss[r] = 0;
    return;
  }
  for_each_row(rows, C, [&](int64_t at, float*) {
    const int64_t r = at / C;
    const float* xr = logits + at;
    float* g = grad + at;
    const int32_t label = labels[r];
    if (label < 0) {
      loss[r] = 0;
      for (int64_t i = 0; i < C; i++) g[i] = 0;
      return;
    }
    const float m = row_max(xr, C);
    const double sum = shifted_exp(xr, m, g, C, isa);
    loss[r] = static_cast<float>(m + std::log(sum) - xr[label]);
    const float inv = static_cast<float>(1.0 / sum);
    for (int64_t i = 0; i < C; i++) g[i] *= inv;
    g[label] -= 1.0f;
  });
}

}  // namespace keel
