// Node-API entry point of the dynamically quantized LSTM (qlstm.h): every array's type and exact
// length and every size is checked here before the kernel runs.
#include <napi.h>

#include <cmath>
#include <new>
#include <string>

#include "../napi_attrs.h"
#include "qlstm.h"

namespace {

using namespace keel::napi;

/** Argument i as an Int8Array of exactly n elements. */
const int8_t* int8_arg(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name,
                       double n) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int8_array)
    throw Napi::TypeError::New(info.Env(), std::string("keel native ") + fn + ": " + name +
                                               " must be an Int8Array");
  Napi::Int8Array a = v.As<Napi::Int8Array>();
  if (static_cast<double>(a.ElementLength()) != n)
    throw Napi::RangeError::New(info.Env(), std::string("keel native ") + fn + ": " + name +
                                                " has " + count(static_cast<double>(a.ElementLength())) +
                                                " elements, expected " + count(n));
  return a.Data();
}

/** Argument i as a Float32Array of exactly n elements. */
float* f32_exact(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name,
                 double n) {
  F32 a = f32_arg(info, i, fn, name);
  if (a.length != n)
    throw Napi::RangeError::New(info.Env(), std::string("keel native ") + fn + ": " + name +
                                                " has " + count(a.length) + " elements, expected " +
                                                count(n));
  return a.data;
}

// quantizedLstm(x, kernel, kernelScale, recurrentKernel, recurrentScale, bias, h0, c0, mask, y,
//   params, batch, steps, inDim, units, goBackwards, activation, recurrentActivation)
Napi::Value QuantizedLstm(const Napi::CallbackInfo& info) {
  const char* fn = "quantizedLstm";
  check_args(info, 18, fn);
  const int64_t B = int_arg(info, 11, fn, "batch"), T = int_arg(info, 12, fn, "steps"),
                In = int_arg(info, 13, fn, "inDim"), U = int_arg(info, 14, fn, "units");
  const bool back = bool_arg(info, 15, fn, "goBackwards");
  const int64_t act = int_arg(info, 16, fn, "activation"),
                ract = int_arg(info, 17, fn, "recurrentActivation");
  if (act > keel::kTfjsHardSigmoid || ract > keel::kTfjsHardSigmoid)
    throw Napi::RangeError::New(info.Env(), "keel native quantizedLstm: activations must be 0..5");
  if (B > 0x7fffffff || U * 4 > 0x7fffffff || In > 0x7fffffff)
    throw Napi::RangeError::New(info.Env(), "keel native quantizedLstm: sizes are too large");
  const double G = 4.0 * static_cast<double>(U);
  product(info, {B, T + 2, U * 4}, fn);
  product(info, {B, T, In > 4 * U ? In : 4 * U}, fn);
  const double b = static_cast<double>(B), t = static_cast<double>(T),
               in = static_cast<double>(In), u = static_cast<double>(U);
  const float* x = f32_exact(info, 0, fn, "x", b * t * in);
  const int8_t* k = int8_arg(info, 1, fn, "kernel", in * G);
  const float* ks = f32_exact(info, 2, fn, "kernelScale", G);
  const int8_t* rk = int8_arg(info, 3, fn, "recurrentKernel", u * G);
  const float* rks = f32_exact(info, 4, fn, "recurrentScale", G);
  const float* bias = f32_exact(info, 5, fn, "bias", G);
  const float* h0 = f32_exact(info, 6, fn, "h0", b * u);
  const float* c0 = f32_exact(info, 7, fn, "c0", b * u);
  const float* mask = f32_exact(info, 8, fn, "mask", b * t);
  float* y = f32_exact(info, 9, fn, "y", b * (t + 2) * u);
  float* params = f32_exact(info, 10, fn, "params", 2);
  for (int64_t j = 0; j < 4 * U; j++)
    if (!std::isfinite(ks[j]) || !std::isfinite(rks[j]))
      throw Napi::RangeError::New(info.Env(),
                                  "keel native quantizedLstm: kernel scales must be finite");
  const keel::RnnDims d{B, T, In, U, back, static_cast<int>(act), static_cast<int>(ract)};
  try {
    keel::quantized_lstm(d, x, k, ks, rk, rks, bias, h0, c0, mask, y, params);
  } catch (const std::bad_alloc&) {
    throw Napi::Error::New(info.Env(), "keel native quantizedLstm: out of memory");
  }
  return info.Env().Undefined();
}

}  // namespace

KEEL_NAPI_EXPORT("quantizedLstm", QuantizedLstm);
