// Node-API entry point of native/quant: every array's type and length and every integer's range
// are checked here before the kernel runs.
#include <napi.h>

#include <cmath>
#include <string>

#include "../napi_args.h"
#include "qgemm.h"

namespace {

using namespace keel::napi;

struct Bytes {
  void* data;  // may be null for an empty array
  double length;
  napi_typedarray_type type;
  bool present;  // false for a null optional argument
};

[[noreturn]] void fail_type(const Napi::CallbackInfo& info, const char* name, const char* what) {
  throw Napi::TypeError::New(info.Env(), std::string("keel native quantizedMatMul: ") + name +
                                             " must be " + what);
}

/** Argument i as a typed array of one of the given types (null allowed when optional). */
Bytes typed_arg(const Napi::CallbackInfo& info, size_t i, const char* name,
                std::initializer_list<napi_typedarray_type> types, const char* what,
                bool optional = false) {
  Napi::Value v = info[i];
  if (optional && v.IsNull()) return {nullptr, 0, napi_int8_array, false};
  if (!v.IsTypedArray()) fail_type(info, name, what);
  Napi::TypedArray t = v.As<Napi::TypedArray>();
  for (napi_typedarray_type type : types)
    if (t.TypedArrayType() == type)
      return {static_cast<uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset(),
              static_cast<double>(t.ElementLength()), type, true};
  fail_type(info, name, what);
}

void check_exact(const Napi::CallbackInfo& info, const Bytes& a, double n, const char* name) {
  if (a.length != n)
    throw Napi::RangeError::New(info.Env(), std::string("keel native quantizedMatMul: ") + name +
                                                " has " + count(a.length) +
                                                " elements, expected " + count(n));
}

void check_range(const Napi::CallbackInfo& info, int64_t v, int64_t lo, int64_t hi,
                 const char* name) {
  if (v < lo || v > hi)
    throw Napi::RangeError::New(info.Env(), std::string("keel native quantizedMatMul: ") + name +
                                                " must be in [" + std::to_string(lo) + ", " +
                                                std::to_string(hi) + "]");
}

// quantizedMatMul(x, w, bias, y, M, K, N, xZeroPoint, scale, yZeroPoint, relu): x Uint8Array or
// Int8Array [M, K], w Int8Array [K, N], bias Int32Array [N] or null; y Int32Array [M, N] (the
// accumulators; scale null) or Uint8Array/Int8Array [M, N] (requantized; scale Float32Array of
// 1 or N finite values) or Float32Array [M, N] (dequantized; bias Float32Array [N] or null,
// yZeroPoint 0).
Napi::Value QuantizedMatMul(const Napi::CallbackInfo& info) {
  const char* fn = "quantizedMatMul";
  check_args(info, 11, fn);
  Bytes x = typed_arg(info, 0, "x", {napi_uint8_array, napi_int8_array},
                      "a Uint8Array or an Int8Array");
  Bytes w = typed_arg(info, 1, "w", {napi_int8_array}, "an Int8Array");
  Bytes y = typed_arg(info, 3, "y",
                      {napi_int32_array, napi_uint8_array, napi_int8_array, napi_float32_array},
                      "an Int32Array, a Uint8Array, an Int8Array or a Float32Array");
  const bool dequant = y.type == napi_float32_array;
  Bytes bias = dequant ? typed_arg(info, 2, "bias", {napi_float32_array},
                                   "a Float32Array or null when y is a Float32Array", true)
                       : typed_arg(info, 2, "bias", {napi_int32_array}, "an Int32Array or null",
                                   true);
  const int64_t M = int_arg(info, 4, fn, "M"), K = int_arg(info, 5, fn, "K"),
                N = int_arg(info, 6, fn, "N");
  const int64_t xz = int_arg(info, 7, fn, "xZeroPoint", -128);
  const bool x_signed = x.type == napi_int8_array;
  check_range(info, xz, x_signed ? -128 : 0, x_signed ? 127 : 255, "xZeroPoint");
  Bytes scale = typed_arg(info, 8, "scale", {napi_float32_array}, "a Float32Array or null", true);
  const int64_t yz = int_arg(info, 9, fn, "yZeroPoint", -128);
  const bool relu = bool_arg(info, 10, fn, "relu");

  check_exact(info, x, product(info, {M, K}, fn), "x");
  check_exact(info, w, product(info, {K, N}, fn), "w");
  if (bias.present) check_exact(info, bias, static_cast<double>(N), "bias");
  check_exact(info, y, product(info, {M, N}, fn), "y");

  keel::QGemmArgs a{};
  a.M = M, a.N = N, a.K = K;
  a.x = static_cast<const uint8_t*>(x.data);
  a.x_signed = x_signed;
  a.x_zero = static_cast<int32_t>(xz);
  a.w = static_cast<const int8_t*>(w.data);
  a.bias = bias.present && !dequant ? static_cast<const int32_t*>(bias.data) : nullptr;
  if (y.type == napi_int32_array) {
    if (scale.present) fail_type(info, "scale", "null when y is an Int32Array (the accumulators)");
    a.raw = true;
    a.y32 = static_cast<int32_t*>(y.data);
  } else {
    if (!scale.present)
      fail_type(info, "scale", "a Float32Array when y holds 8-bit or float32 values");
    if (scale.length != 1) check_exact(info, scale, static_cast<double>(N), "scale");
    const float* s = static_cast<const float*>(scale.data);
    for (int64_t j = 0; j < static_cast<int64_t>(scale.length); j++)
      if (!std::isfinite(s[j]))
        throw Napi::RangeError::New(info.Env(),
                                    "keel native quantizedMatMul: scale values must be finite");
    a.y_signed = y.type == napi_int8_array;
    if (dequant) {
      check_range(info, yz, 0, 0, "yZeroPoint");
      a.yf = static_cast<float*>(y.data);
      a.fbias = bias.present ? static_cast<const float*>(bias.data) : nullptr;
    } else {
      check_range(info, yz, a.y_signed ? -128 : 0, a.y_signed ? 127 : 255, "yZeroPoint");
      a.y8 = static_cast<uint8_t*>(y.data);
    }
    a.scale = s;
    a.scale_step = scale.length == 1 ? 0 : 1;
    a.y_zero = static_cast<int32_t>(yz);
    a.relu = relu;
  }
  keel::qgemm(a);
  return info.Env().Undefined();
}

// quantizeUint8(x, q, params, n): x Float32Array [n], q Uint8Array [n], params Float32Array [2].
Napi::Value QuantizeUint8(const Napi::CallbackInfo& info) {
  const char* fn = "quantizeUint8";
  check_args(info, 4, fn);
  Bytes x = typed_arg(info, 0, "x", {napi_float32_array}, "a Float32Array");
  Bytes q = typed_arg(info, 1, "q", {napi_uint8_array}, "a Uint8Array");
  Bytes params = typed_arg(info, 2, "params", {napi_float32_array}, "a Float32Array");
  const int64_t n = int_arg(info, 3, fn, "n");
  check_exact(info, x, static_cast<double>(n), "x");
  check_exact(info, q, static_cast<double>(n), "q");
  check_exact(info, params, 2, "params");
  keel::quantize_uint8(static_cast<const float*>(x.data), n, static_cast<uint8_t*>(q.data),
                       static_cast<float*>(params.data));
  return info.Env().Undefined();
}

}  // namespace

KEEL_NAPI_EXPORT("quantizedMatMul", QuantizedMatMul);
KEEL_NAPI_EXPORT("quantizeUint8", QuantizeUint8);
