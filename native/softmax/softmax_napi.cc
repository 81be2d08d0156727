// Node-API entry points of native/softmax/: every length is checked against rows x C here.
#include <napi.h>

#include <string>

#include "../napi_args.h"
#include "softmax.h"

namespace {

using namespace keel::napi;

/** rows and C from arguments i and i + 1, their product below 2^53. */
double rows_cols(const Napi::CallbackInfo& info, size_t i, const char* fn, int64_t& rows, int64_t& C) {
  rows = int_arg(info, i, fn, "rows");
  C = int_arg(info, i + 1, fn, "C");
  return product(info, {rows, C}, fn);
}

void exact(const Napi::CallbackInfo& info, const F32& a, double n, const char* fn, const char* name) {
  if (a.length != n)
    throw Napi::RangeError::New(info.Env(), std::string("keel native ") + fn + ": " + name + " has " +
                                                count(a.length) + " elements, the sizes need " + count(n));
}

// softmax(x, y, rows, C, log)
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  const char* fn = "softmax";
  check_args(info, 5, fn);
  F32 x = f32_arg(info, 0, fn, "x"), y = f32_arg(info, 1, fn, "y");
  int64_t rows, C;
  const double n = rows_cols(info, 2, fn, rows, C);
  const bool log = bool_arg(info, 4, fn, "log");
  exact(info, x, n, fn, "x");
  exact(info, y, n, fn, "y");
  keel::softmax_rows(x.data, y.data, rows, C, log);
  return info.Env().Undefined();
}

// softmaxBackward(dy, y, dx, rows, C, log)
Napi::Value SoftmaxBackward(const Napi::CallbackInfo& info) {
  const char* fn = "softmaxBackward";
  check_args(info, 6, fn);
  F32 dy = f32_arg(info, 0, fn, "dy"), y = f32_arg(info, 1, fn, "y"), dx = f32_arg(info, 2, fn, "dx");
  int64_t rows, C;
  const double n = rows_cols(info, 3, fn, rows, C);
  const bool log = bool_arg(info, 5, fn, "log");
  exact(info, dy, n, fn, "dy");
  exact(info, y, n, fn, "y");
  exact(info, dx, n, fn, "dx");
  keel::softmax_backward_rows(dy.data, y.data, dx.data, rows, C, log);
  return info.Env().Undefined();
}

// softmaxCrossEntropy(logits, targets, loss, grad, rows, C)
Napi::Value SoftmaxCrossEntropy(const Napi::CallbackInfo& info) {
  const char* fn = "softmaxCrossEntropy";
  check_args(info, 6, fn);
  F32 x = f32_arg(info, 0, fn, "logits"), t = f32_arg(info, 1, fn, "targets"),
      loss = f32_arg(info, 2, fn, "loss"), grad = f32_arg(info, 3, fn, "grad");
  int64_t rows, C;
  const double n = rows_cols(info, 4, fn, rows, C);
  exact(info, x, n, fn, "logits");
  exact(info, t, n, fn, "targets");
  exact(info, grad, n, fn, "grad");
  exact(info, loss, static_cast<double>(rows), fn, "loss");
  keel::softmax_xent(x.data, t.data, loss.data, grad.data, rows, C);
  return info.Env().Undefined();
}

// sparseSoftmaxCrossEntropy(logits, labels, loss, grad, rows, C): labels in [-1, C).
Napi::Value SparseSoftmaxCrossEntropy(const Napi::CallbackInfo& info) {
  const char* fn = "sparseSoftmaxCrossEntropy";
  check_args(info, 6, fn);
  F32 x = f32_arg(info, 0, fn, "logits");
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw Napi::TypeError::New(info.Env(), "keel native sparseSoftmaxCrossEntropy: labels must be an Int32Array");
  Napi::Int32Array labels = info[1].As<Napi::Int32Array>();
  F32 loss = f32_arg(info, 2, fn, "loss"), grad = f32_arg(info, 3, fn, "grad");
  int64_t rows, C;
  const double n = rows_cols(info, 4, fn, rows, C);
  exact(info, x, n, fn, "logits");
  exact(info, grad, n, fn, "grad");
  exact(info, loss, static_cast<double>(rows), fn, "loss");
  if (static_cast<double>(labels.ElementLength()) != static_cast<double>(rows))
    throw Napi::RangeError::New(info.Env(), "keel native sparseSoftmaxCrossEntropy: labels must hold rows elements");
  const int32_t* l = labels.Data();
  for (int64_t r = 0; r < rows; r++)
    if (l[r] < -1 || l[r] >= C)
      throw Napi::RangeError::New(info.Env(), "keel native sparseSoftmaxCrossEntropy: a label is outside [-1, C)");
  keel::sparse_softmax_xent(x.data, l, loss.data, grad.data, rows, C);
  return info.Env().Undefined();
}

KEEL_NAPI_EXPORT("softmax", Softmax);
KEEL_NAPI_EXPORT("softmaxBackward", SoftmaxBackward);
KEEL_NAPI_EXPORT("softmaxCrossEntropy", SoftmaxCrossEntropy);
KEEL_NAPI_EXPORT("sparseSoftmaxCrossEntropy", SparseSoftmaxCrossEntropy);

}  // namespace
