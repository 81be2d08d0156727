// In-place optimizer steps over a variable's float32 storage (Keras's update rules), computed in
// double per element exactly as the TypeScript kernels write them. Threaded over elements.
#pragma once
#include <cstdint>

namespace keel {

/** m = momentum m - lr g; w += m (nesterov: w += momentum m - lr g); m may be null (plain SGD). */
void sgd_update(const float* g, float* w, float* m, int64_t n, double lr, double momentum,
                bool nesterov, double decay);

/** Adam: m, v updated; vhat (amsgrad) may be null. alpha carries the bias correction. */
void adam_update(const float* g, float* w, float* m, float* v, float* vhat, int64_t n,
                 double alpha, double beta1, double beta2, double epsilon, double decay,
                 double grad_scale);

/** RMSprop: v updated; mom (momentum > 0) and avg (centered) may be null. */
void rmsprop_update(const float* g, float* w, float* v, float* mom, float* avg, int64_t n,
                    double lr, double rho, double momentum, double epsilon, double decay);

}  // namespace keel
