#include "optimizers.h"

#include <cmath>

#include "../threadpool.h"

namespace keel {

constexpr int64_t kGrain = 1 << 15;

void sgd_update(const float* g, float* w, float* m, int64_t n, double lr, double mu,
                bool nesterov, double decay) {
  parallel_for(n, kGrain, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) {
      const double wi = decay != 0 ? static_cast<double>(w[i]) - w[i] * decay : w[i];
      if (!m) {
        w[i] = static_cast<float>(wi - lr * g[i]);
        continue;
      }
      const double step = -static_cast<double>(g[i]) * lr;
      const double mi = step + m[i] * mu;
      m[i] = static_cast<float>(mi);
      w[i] = static_cast<float>(nesterov ? wi + step + mi * mu : wi + mi);
    }
  });
}

void adam_update(const float* g, float* w, float* m, float* v, float* vhat, int64_t n,
                 double alpha, double beta1, double beta2, double epsilon, double decay,
                 double grad_scale) {
  const double c1 = 1 - beta1, c2 = 1 - beta2;
  parallel_for(n, kGrain, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) {
      const double wi = decay != 0 ? static_cast<double>(w[i]) - w[i] * decay : w[i];
      const double gi = g[i] * grad_scale;
      const double mi = m[i] + (gi - m[i]) * c1;
      const double vi = v[i] + (gi * gi - v[i]) * c2;
      m[i] = static_cast<float>(mi);
      v[i] = static_cast<float>(vi);
      double denom = vi;
      if (vhat) {
        // Math.max semantics: NaN wins.
        const double vh = std::isnan(vhat[i]) || std::isnan(vi) ? NAN : (vhat[i] > vi ? vhat[i] : vi);
        vhat[i] = static_cast<float>(vh);
        denom = vh;
      }
      w[i] = static_cast<float>(wi - (alpha * mi) / (std::sqrt(denom) + epsilon));
    }
  });
}

void rmsprop_update(const float* g, float* w, float* v, float* mom, float* avg, int64_t n,
                    double lr, double rho, double mu, double epsilon, double decay) {
  parallel_for(n, kGrain, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) {
      const double wi = decay != 0 ? static_cast<double>(w[i]) - w[i] * decay : w[i];
      const double gi = g[i];
      const double vi = rho * v[i] + (1 - rho) * gi * gi;
      v[i] = static_cast<float>(vi);
      double denominator = vi + epsilon;
      if (avg) {
        const double ai = rho * avg[i] + (1 - rho) * gi;
        avg[i] = static_cast<float>(ai);
        denominator = vi - ai * ai + epsilon;
      }
      const double step = (lr * gi) / std::sqrt(denominator);
      if (mom) {
        const double mi = mu * mom[i] + step;
        mom[i] = static_cast<float>(mi);
        w[i] = static_cast<float>(wi - mi);
      } else {
        w[i] = static_cast<float>(wi - step);
      }
    }
  });
}

}  // namespace keel
