// Node-API entry points of the layer normalization kernels; every length is checked again here.
#include "../napi_args.h"
#include "layer_norm.h"

namespace {

using namespace keel::napi;

/** Argument i as a Float32Array of at least n elements, or null. */
float* optional_f32(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name,
                    double n) {
  if (info[i].IsNull()) return nullptr;
  F32 a = f32_arg(info, i, fn, name);
  check_len(info, a, n, fn, name);
  return a.data;
}

// layerNorm(x, gamma | null, beta | null, y, mean, rstd, rows, features, epsilon)
Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  const char* fn = "layerNorm";
  check_args(info, 9, fn);
  const int64_t rows = int_arg(info, 6, fn, "rows"), F = int_arg(info, 7, fn, "features");
  const double eps = num_arg(info, 8, fn, "epsilon");
  if (!(eps > 0)) throw Napi::RangeError::New(info.Env(), "keel native layerNorm: epsilon must be > 0");
  const double n = product(info, {rows, F}, fn);
  F32 x = f32_arg(info, 0, fn, "x"), y = f32_arg(info, 3, fn, "y");
  F32 mean = f32_arg(info, 4, fn, "mean"), rstd = f32_arg(info, 5, fn, "rstd");
  check_len(info, x, n, fn, "x");
  check_len(info, y, n, fn, "y");
  check_len(info, mean, static_cast<double>(rows), fn, "mean");
  check_len(info, rstd, static_cast<double>(rows), fn, "rstd");
  const float* gamma = optional_f32(info, 1, fn, "gamma", static_cast<double>(F));
  const float* beta = optional_f32(info, 2, fn, "beta", static_cast<double>(F));
  keel::layer_norm(x.data, gamma, beta, y.data, mean.data, rstd.data, rows, F, eps);
  return info.Env().Undefined();
}

// layerNormBackward(dy, x, mean, rstd, gamma | null, dx, dgamma | null, dbeta | null, rows, features)
Napi::Value LayerNormBackward(const Napi::CallbackInfo& info) {
  const char* fn = "layerNormBackward";
  check_args(info, 10, fn);
  const int64_t rows = int_arg(info, 8, fn, "rows"), F = int_arg(info, 9, fn, "features");
  const double n = product(info, {rows, F}, fn);
  F32 dy = f32_arg(info, 0, fn, "dy"), x = f32_arg(info, 1, fn, "x"), dx = f32_arg(info, 5, fn, "dx");
  F32 mean = f32_arg(info, 2, fn, "mean"), rstd = f32_arg(info, 3, fn, "rstd");
  check_len(info, dy, n, fn, "dy");
  check_len(info, x, n, fn, "x");
  check_len(info, dx, n, fn, "dx");
  check_len(info, mean, static_cast<double>(rows), fn, "mean");
  check_len(info, rstd, static_cast<double>(rows), fn, "rstd");
  const float* gamma = optional_f32(info, 4, fn, "gamma", static_cast<double>(F));
  float* dgamma = optional_f32(info, 6, fn, "dgamma", static_cast<double>(F));
  float* dbeta = optional_f32(info, 7, fn, "dbeta", static_cast<double>(F));
  keel::layer_norm_backward(dy.data, x.data, mean.data, rstd.data, gamma, dx.data, dgamma, dbeta,
                            rows, F);
  return info.Env().Undefined();
}

}  // namespace

KEEL_NAPI_EXPORT("layerNorm", LayerNorm);
KEEL_NAPI_EXPORT("layerNormBackward", LayerNormBackward);
