// Node-API entry points of the convolutions (plain and fused) and the fused dense and activation
// kernels; every argument is checked again here (napi_args.h), so no call can read or write out
// of bounds.
#include "../napi_attrs.h"
#include "fused.h"
#include "window.h"

namespace {

using keel::napi::check_args;
using keel::napi::check_len;
using keel::napi::F32;
using keel::napi::f32_arg;
using keel::napi::int_arg;
using keel::napi::product;

KEEL_NAPI_ATTRS(conv2d, keel::Conv2DGeom, KEEL_CONV2D_ATTRS)

/** Argument i's geometry and the lengths of x, y and the filter, all checked below 2^53. */
struct ConvSizes {
  keel::Conv2DGeom a;
  double x, y, w;
};

ConvSizes conv_sizes(const Napi::CallbackInfo& info, size_t i, const char* fn) {
  const keel::Conv2DGeom a = conv2d_attrs(info, i, fn);
  const double x = product(info, {a.batch, a.inH, a.inW, a.inC}, fn);
  const double y = product(info, {a.batch, a.outH, a.outW, a.outC}, fn);
  const double w = product(info, {a.filterH, a.filterW, a.inC, a.outC}, fn);
  product(info, {a.batch, a.outH, a.outW, a.filterH, a.filterW, a.inC}, fn);  // the lowered matrix
  return {a, x, y, w};
}

int act_arg(const Napi::CallbackInfo& info, size_t i, const char* fn) {
  const int64_t act = int_arg(info, i, fn, "activation");
  if (act >= static_cast<int64_t>(keel::Activation::count))
    throw Napi::RangeError::New(info.Env(), std::string("keel native ") + fn + ": unknown activation");
  return static_cast<int>(act);
}

/** Argument i as a Float32Array of exactly n elements, or null. */
const float* optional_f32(const Napi::CallbackInfo& info, size_t i, const char* fn,
                          const char* name, double n) {
  if (info[i].IsNull()) return nullptr;
  F32 a = f32_arg(info, i, fn, name);
  if (a.length != n)
    throw Napi::RangeError::New(info.Env(), std::string("keel native ") + fn + ": " + name +
                                                " must have " + keel::napi::count(n) + " elements");
  return a.data;
}

/** conv2d / conv2dBackpropInput / conv2dBackpropFilter (first, second, out, attrs). */
template <int Kind>
Napi::Value Conv2D(const Napi::CallbackInfo& info) {
  const char* fn = Kind == 0 ? "conv2d" : Kind == 1 ? "conv2dBackpropInput" : "conv2dBackpropFilter";
  check_args(info, 4, fn);
  F32 p = f32_arg(info, 0, fn, "first"), q = f32_arg(info, 1, fn, "second"), o = f32_arg(info, 2, fn, "output");
  const ConvSizes n = conv_sizes(info, 3, fn);
  if (Kind == 0) {
    check_len(info, p, n.x, fn, "x"), check_len(info, q, n.w, fn, "filter"), check_len(info, o, n.y, fn, "y");
    keel::conv2d_forward(p.data, q.data, o.data, n.a);
  } else if (Kind == 1) {
    check_len(info, p, n.y, fn, "dy"), check_len(info, q, n.w, fn, "filter"), check_len(info, o, n.x, fn, "dx");
    keel::conv2d_backprop_input(p.data, q.data, o.data, n.a);
  } else {
    check_len(info, p, n.x, fn, "x"), check_len(info, q, n.y, fn, "dy"), check_len(info, o, n.w, fn, "dFilter");
    keel::conv2d_backprop_filter(p.data, q.data, o.data, n.a);
  }
  return info.Env().Undefined();
}

// fusedConv2d(x, filter, bias | null, y, attrs, activation)
Napi::Value FusedConv2D(const Napi::CallbackInfo& info) {
  const char* fn = "fusedConv2d";
  check_args(info, 6, fn);
  F32 x = f32_arg(info, 0, fn, "x"), w = f32_arg(info, 1, fn, "filter"), y = f32_arg(info, 3, fn, "y");
  const ConvSizes n = conv_sizes(info, 4, fn);
  check_len(info, x, n.x, fn, "x");
  check_len(info, w, n.w, fn, "filter");
  check_len(info, y, n.y, fn, "y");
  const float* bias = optional_f32(info, 2, fn, "bias", static_cast<double>(n.a.outC));
  keel::fused_conv2d(x.data, w.data, bias, y.data, n.a, act_arg(info, 5, fn));
  return info.Env().Undefined();
}

// fusedDense(x, w, bias | null, y, M, K, N, activation)
Napi::Value FusedDense(const Napi::CallbackInfo& info) {
  const char* fn = "fusedDense";
  check_args(info, 8, fn);
  F32 x = f32_arg(info, 0, fn, "x"), w = f32_arg(info, 1, fn, "kernel"), y = f32_arg(info, 3, fn, "y");
  const int64_t M = int_arg(info, 4, fn, "M"), K = int_arg(info, 5, fn, "K"), N = int_arg(info, 6, fn, "N");
  check_len(info, x, product(info, {M, K}, fn), fn, "x");
  check_len(info, w, product(info, {K, N}, fn), fn, "kernel");
  check_len(info, y, product(info, {M, N}, fn), fn, "y");
  const float* bias = optional_f32(info, 2, fn, "bias", static_cast<double>(N));
  keel::fused_dense(x.data, w.data, bias, y.data, M, K, N, act_arg(info, 7, fn));
  return info.Env().Undefined();
}

// biasActivation(x, bias | null, y, rows, C, activation)
Napi::Value BiasActivation(const Napi::CallbackInfo& info) {
  const char* fn = "biasActivation";
  check_args(info, 6, fn);
  F32 x = f32_arg(info, 0, fn, "x"), y = f32_arg(info, 2, fn, "y");
  const int64_t rows = int_arg(info, 3, fn, "rows"), C = int_arg(info, 4, fn, "C");
  const double n = product(info, {rows, C}, fn);
  check_len(info, x, n, fn, "x");
  check_len(info, y, n, fn, "y");
  const float* bias = optional_f32(info, 1, fn, "bias", static_cast<double>(C));
  keel::bias_activation(x.data, bias, y.data, rows, C, act_arg(info, 5, fn));
  return info.Env().Undefined();
}

// activationGrad(dy, y, dz, rows, C, activation)
Napi::Value ActivationGrad(const Napi::CallbackInfo& info) {
  const char* fn = "activationGrad";
  check_args(info, 6, fn);
  F32 dy = f32_arg(info, 0, fn, "dy"), y = f32_arg(info, 1, fn, "y"), dz = f32_arg(info, 2, fn, "dz");
  const int64_t rows = int_arg(info, 3, fn, "rows"), C = int_arg(info, 4, fn, "C");
  const double n = product(info, {rows, C}, fn);
  check_len(info, dy, n, fn, "dy");
  check_len(info, y, n, fn, "y");
  check_len(info, dz, n, fn, "dz");
  keel::activation_grad(dy.data, y.data, dz.data, rows, C, act_arg(info, 5, fn));
  return info.Env().Undefined();
}

}  // namespace

KEEL_NAPI_EXPORT("conv2d", Conv2D<0>);
KEEL_NAPI_EXPORT("conv2dBackpropInput", Conv2D<1>);
KEEL_NAPI_EXPORT("conv2dBackpropFilter", Conv2D<2>);
KEEL_NAPI_EXPORT("fusedConv2d", FusedConv2D);
KEEL_NAPI_EXPORT("fusedDense", FusedDense);
KEEL_NAPI_EXPORT("biasActivation", BiasActivation);
KEEL_NAPI_EXPORT("activationGrad", ActivationGrad);
