// Node-API entry point of native/quant: every array's type and length and every integer's range
// are checked here before the kernel runs.
#include <napi.h>

#include <cmath>
#include <string>

#include "../napi_attrs.h"
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
  throw Napi::TypeError::New(info.Env(), std::string("keel native quantized kernel: ") + name +
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
    throw Napi::RangeError::New(info.Env(), std::string("keel native quantized kernel: ") + name +
                                                " has " + count(a.length) +
                                                " elements, expected " + count(n));
}

void check_range(const Napi::CallbackInfo& info, int64_t v, int64_t lo, int64_t hi,
                 const char* name) {
  if (v < lo || v > hi)
    throw Napi::RangeError::New(info.Env(), std::string("keel native quantized kernel: ") + name +
                                                " must be in [" + std::to_string(lo) + ", " +
                                                std::to_string(hi) + "]");
}

KEEL_NAPI_ATTRS(qconv2d, keel::Conv2DGeom, KEEL_CONV2D_ATTRS)

// The shared body of quantizedMatMul, quantizedConv2d and quantizedConv2dMaxPool. Arguments from
// `at`: bias, y, xZeroPoint, scale, yZeroPoint, relu, packed; x holds xLen elements, y M·N (or
// the pooled output of `pool`, uint8). See QuantizedMatMul below.
Napi::Value RunQGemm(const Napi::CallbackInfo& info, const char* fn, const Bytes& x,
                     double xLen, const Bytes& w, int64_t M, int64_t K, int64_t N,
                     const keel::Conv2DGeom* conv, size_t at,
                     const keel::Pool2DGeom* pool = nullptr) {
  Bytes y = typed_arg(info, at + 1, "y",
                      {napi_int32_array, napi_uint8_array, napi_int8_array, napi_float32_array},
                      "an Int32Array, a Uint8Array, an Int8Array or a Float32Array");
  const bool dequant = y.type == napi_float32_array;
  Bytes bias = dequant ? typed_arg(info, at, "bias", {napi_float32_array},
                                   "a Float32Array or null when y is a Float32Array", true)
                       : typed_arg(info, at, "bias", {napi_int32_array}, "an Int32Array or null",
                                   true);
  const int64_t xz = int_arg(info, at + 2, fn, "xZeroPoint", -128);
  const bool x_signed = x.type == napi_int8_array;
  check_range(info, xz, x_signed ? -128 : 0, x_signed ? 127 : 255, "xZeroPoint");
  Bytes scale =
      typed_arg(info, at + 3, "scale", {napi_float32_array}, "a Float32Array or null", true);
  const int64_t yz = int_arg(info, at + 4, fn, "yZeroPoint", -128);
  const bool relu = bool_arg(info, at + 5, fn, "relu");
  Bytes packed =
      typed_arg(info, at + 6, "packed", {napi_uint8_array}, "a Uint8Array or null", true);

  check_exact(info, x, xLen, "x");
  check_exact(info, w, product(info, {K, N}, fn), "w");
  if (bias.present) check_exact(info, bias, static_cast<double>(N), "bias");
  if (pool) {
    if (y.type != napi_uint8_array) fail_type(info, "y", "a Uint8Array (the pooled uint8 output)");
    check_exact(info, y, product(info, {pool->batch, pool->outH, pool->outW, pool->channels}, fn),
                "y");
  } else {
    check_exact(info, y, product(info, {M, N}, fn), "y");
  }

  keel::QGemmArgs a{};
  a.M = M, a.N = N, a.K = K;
  a.conv = conv;
  a.x = static_cast<const uint8_t*>(x.data);
  a.x_signed = x_signed;
  a.x_zero = static_cast<int32_t>(xz);
  a.w = static_cast<const int8_t*>(w.data);
  // A buffer packed for another ISA or shape is ignored: qgemm packs for this call.
  const auto* p = static_cast<const uint8_t*>(packed.data);
  a.wpacked = packed.present && keel::qpacked_fits(p, static_cast<int64_t>(packed.length), K, N,
                                                   keel::qsegment(conv, K))
                  ? p
                  : nullptr;
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
                                    "keel native quantized kernel: scale values must be finite");
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
  if (pool) keel::qconv_max_pool(a, *pool);
  else keel::qgemm(a);
  return info.Env().Undefined();
}

// quantizedMatMul(x, w, bias, y, xZeroPoint, scale, yZeroPoint, relu, packed, M, K, N): x
// Uint8Array or Int8Array [M, K], w Int8Array [K, N], bias Int32Array [N] or null; y Int32Array
// [M, N] (the accumulators; scale null) or Uint8Array/Int8Array [M, N] (requantized; scale
// Float32Array of 1 or N finite values) or Float32Array [M, N] (dequantized; bias Float32Array
// [N] or null, yZeroPoint 0); packed: w from quantizedPackWeights, or null.
Napi::Value QuantizedMatMul(const Napi::CallbackInfo& info) {
  const char* fn = "quantizedMatMul";
  check_args(info, 12, fn);
  Bytes x = typed_arg(info, 0, "x", {napi_uint8_array, napi_int8_array},
                      "a Uint8Array or an Int8Array");
  Bytes w = typed_arg(info, 1, "w", {napi_int8_array}, "an Int8Array");
  const int64_t M = int_arg(info, 9, fn, "M"), K = int_arg(info, 10, fn, "K"),
                N = int_arg(info, 11, fn, "N");
  return RunQGemm(info, fn, x, product(info, {M, K}, fn), w, M, K, N, nullptr, 2);
}

/** The segment length L of a packing: K % L == 0, L >= 1 unless K is 0 (then L is ignored). */
int64_t segment_arg(const Napi::CallbackInfo& info, size_t i, const char* fn, int64_t K) {
  const int64_t L = int_arg(info, i, fn, "L");
  if (K > 0 && (L < 1 || L > K || K % L != 0))
    throw Napi::RangeError::New(info.Env(), std::string("keel native ") + fn +
                                                ": L must divide K (" + std::to_string(K) +
                                                "), got " + std::to_string(L));
  return K > 0 ? L : 0;
}

KEEL_NAPI_ATTRS(qpool2d, keel::Pool2DGeom, KEEL_POOL2D_ATTRS)

// The two convolutions: x Uint8Array or Int8Array [batch, inH, inW, inC], w Int8Array [filterH,
// filterW, inC, outC], then the arguments of RunQGemm, attrs (qconv2d) at 9 and, when pooled,
// poolAttrs (qpool2d) at 10, whose input must be the convolution's output.
Napi::Value RunConv(const Napi::CallbackInfo& info, const char* fn, bool pooled) {
  check_args(info, pooled ? 11 : 10, fn);
  Bytes x = typed_arg(info, 0, "x", {napi_uint8_array, napi_int8_array},
                      "a Uint8Array or an Int8Array");
  Bytes w = typed_arg(info, 1, "w", {napi_int8_array}, "an Int8Array");
  const keel::Conv2DGeom g = qconv2d_attrs(info, 9, fn);
  keel::Pool2DGeom p{};
  if (pooled) {
    p = qpool2d_attrs(info, 10, fn);
    if (p.batch != g.batch || p.inH != g.outH || p.inW != g.outW || p.channels != g.outC)
      throw Napi::RangeError::New(info.Env(), std::string("keel native ") + fn +
                                                  ": the pooling's input must be the "
                                                  "convolution's output [batch, outH, outW, outC]");
    product(info, {p.batch, p.outH, p.outW, p.poolH, p.poolW}, fn);
  }
  const double xs = product(info, {g.batch, g.inH, g.inW, g.inC}, fn);
  const double M = product(info, {g.batch, g.outH, g.outW}, fn);
  const double K = product(info, {g.filterH, g.filterW, g.inC}, fn);
  // Every tap is checked against the image, so any geometry reads only inside x.
  return RunQGemm(info, fn, x, xs, w, static_cast<int64_t>(M), static_cast<int64_t>(K), g.outC,
                  &g, 2, pooled ? &p : nullptr);
}

// quantizedConv2d(x, w, bias, y, xZeroPoint, scale, yZeroPoint, relu, packed, attrs): y [batch,
// outH, outW, outC] as quantizedMatMul's; attrs the Conv2D layout (qconv2d).
Napi::Value QuantizedConv2D(const Napi::CallbackInfo& info) {
  return RunConv(info, "quantizedConv2d", false);
}

// quantizedConv2dMaxPool(x, w, bias, y, xZeroPoint, scale, yZeroPoint, relu, packed, attrs,
// poolAttrs): quantizedConv2d requantized to uint8, then max pooling (poolAttrs) into y
// Uint8Array [batch, poolOutH, poolOutW, outC].
Napi::Value QuantizedConv2DMaxPool(const Napi::CallbackInfo& info) {
  return RunConv(info, "quantizedConv2dMaxPool", true);
}

// quantizedPackedBytes(K, N, L): the size of w [K, N] packed for the active ISA, k in segments
// of L (K for a matrix product, filterW·inC for a convolution: its filter rows).
Napi::Value QuantizedPackedBytes(const Napi::CallbackInfo& info) {
  const char* fn = "quantizedPackedBytes";
  check_args(info, 3, fn);
  const int64_t K = int_arg(info, 0, fn, "K"), N = int_arg(info, 1, fn, "N");
  product(info, {K, N}, fn);
  const int64_t L = segment_arg(info, 2, fn, K);
  return Napi::Number::New(info.Env(), static_cast<double>(keel::qpacked_bytes(K, N, L)));
}

// quantizedPackWeights(w, K, N, L, packed): w Int8Array [K, N] into packed (quantizedPackedBytes).
Napi::Value QuantizedPackWeights(const Napi::CallbackInfo& info) {
  const char* fn = "quantizedPackWeights";
  check_args(info, 5, fn);
  Bytes w = typed_arg(info, 0, "w", {napi_int8_array}, "an Int8Array");
  const int64_t K = int_arg(info, 1, fn, "K"), N = int_arg(info, 2, fn, "N");
  const int64_t L = segment_arg(info, 3, fn, K);
  Bytes packed = typed_arg(info, 4, "packed", {napi_uint8_array}, "a Uint8Array");
  check_exact(info, w, product(info, {K, N}, fn), "w");
  check_exact(info, packed, static_cast<double>(keel::qpacked_bytes(K, N, L)), "packed");
  keel::qpack_weights(static_cast<const int8_t*>(w.data), K, N, L,
                      static_cast<uint8_t*>(packed.data));
  return info.Env().Undefined();
}

// quantizeLinear(x, q, n, scale, zeroPoint): x Float32Array [n] into q Uint8Array [n].
Napi::Value QuantizeLinear(const Napi::CallbackInfo& info) {
  const char* fn = "quantizeLinear";
  check_args(info, 5, fn);
  Bytes x = typed_arg(info, 0, "x", {napi_float32_array}, "a Float32Array");
  Bytes q = typed_arg(info, 1, "q", {napi_uint8_array}, "a Uint8Array");
  const int64_t n = int_arg(info, 2, fn, "n");
  const double scale = info[3].IsNumber() ? info[3].As<Napi::Number>().DoubleValue() : -1.0;
  if (!(std::isfinite(scale) && scale > 0))
    throw Napi::RangeError::New(info.Env(), "keel native quantizeLinear: scale must be finite and positive");
  const int64_t zero = int_arg(info, 4, fn, "zeroPoint");
  check_range(info, zero, 0, 255, "zeroPoint");
  check_exact(info, x, static_cast<double>(n), "x");
  check_exact(info, q, static_cast<double>(n), "q");
  keel::quantize_linear(static_cast<const float*>(x.data), n, static_cast<float>(scale),
                        static_cast<int32_t>(zero), static_cast<uint8_t*>(q.data));
  return info.Env().Undefined();
}


// maxPool2dU8(x, y, attrs): Uint8Array x [batch, inH, inW, C] into y [batch, outH, outW, C].
Napi::Value MaxPool2dU8(const Napi::CallbackInfo& info) {
  const char* fn = "maxPool2dU8";
  check_args(info, 3, fn);
  Bytes x = typed_arg(info, 0, "x", {napi_uint8_array}, "a Uint8Array");
  Bytes y = typed_arg(info, 1, "y", {napi_uint8_array}, "a Uint8Array");
  const keel::Pool2DGeom a = qpool2d_attrs(info, 2, fn);
  check_exact(info, x, product(info, {a.batch, a.inH, a.inW, a.channels}, fn), "x");
  check_exact(info, y, product(info, {a.batch, a.outH, a.outW, a.channels}, fn), "y");
  product(info, {a.batch, a.outH, a.outW, a.poolH, a.poolW}, fn);
  keel::max_pool2d_u8(static_cast<const uint8_t*>(x.data), static_cast<uint8_t*>(y.data), a);
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
KEEL_NAPI_EXPORT("quantizedConv2d", QuantizedConv2D);
KEEL_NAPI_EXPORT("quantizedConv2dMaxPool", QuantizedConv2DMaxPool);
KEEL_NAPI_EXPORT("quantizedPackedBytes", QuantizedPackedBytes);
KEEL_NAPI_EXPORT("quantizedPackWeights", QuantizedPackWeights);
KEEL_NAPI_EXPORT("quantizeLinear", QuantizeLinear);
KEEL_NAPI_EXPORT("maxPool2dU8", MaxPool2dU8);
