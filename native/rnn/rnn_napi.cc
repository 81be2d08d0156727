// Node-API entry points of the fused recurrent kernels. Each takes its Float32Arrays in the
// TypeScript kernel's order (inputs, then outputs; bias omitted from the backward ones, which do
// not read it) and the attrs Float64Array [batch, steps, in, units, goBackwards, activation,
// recurrentActivation]; every array must have exactly the length the sizes give.
#include <napi.h>

#include <new>
#include <string>

#include "../napi_args.h"
#include "rnn.h"

namespace {

using namespace keel::napi;

constexpr size_t kDims = 7;

/** The attrs, checked: counts, goBackwards 0/1, activation codes 0..4, sizes an int can hold. */
keel::RnnDims dims_of(const Napi::CallbackInfo& info, size_t i, const char* fn, int gates) {
  int64_t v[kDims];
  const int64_t lo[kDims] = {0, 0, 0, 0, 0, 0, 0};
  dims_arg(info, i, fn, kDims, v, lo);
  if (v[4] > 1 || v[5] > 4 || v[6] > 4)
    throw Napi::RangeError::New(info.Env(), std::string("keel native ") + fn +
                                                ": goBackwards must be 0 or 1 and activations 0..4");
  if (v[0] > 0x7fffffff || v[3] * 4 > 0x7fffffff || v[2] > 0x7fffffff)
    throw Napi::RangeError::New(info.Env(), std::string("keel native ") + fn + ": sizes are too large");
  product(info, {v[0], v[1] + 2, v[3] * 4}, fn);
  product(info, {v[0], v[1], v[2] > gates * v[3] ? v[2] : gates * v[3]}, fn);
  return {v[0], v[1], v[2], v[3], v[4] == 1, static_cast<int>(v[5]), static_cast<int>(v[6])};
}

/** Argument i as a Float32Array of exactly n elements. */
float* arr(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name, double n) {
  F32 a = f32_arg(info, i, fn, name);
  if (a.length != n)
    throw Napi::RangeError::New(info.Env(), std::string("keel native ") + fn + ": " + name +
                                                " has " + count(a.length) + " elements, expected " +
                                                count(n));
  return a.data;
}

/** The named arrays' lengths for dims d (gates: 4, 3 or 1). */
struct Sizes {
  double x, kernel, rk, state, mask, seq, gates, states, bias;
  Sizes(const keel::RnnDims& d, int gates_, int packed_states, int saved_gates) {
    const double B = static_cast<double>(d.batch), T = static_cast<double>(d.steps),
                 I = static_cast<double>(d.in), U = static_cast<double>(d.units);
    x = B * T * I;
    kernel = I * gates_ * U;
    rk = U * gates_ * U;
    state = B * U;
    mask = B * T;
    seq = B * (T + packed_states) * U;
    gates = T * B * saved_gates * U;
    states = (T + 1) * B * U;
    bias = (gates_ == 3 ? 2.0 : 1.0) * gates_ * U;
  }
};

template <class Fn>
Napi::Value guarded(const Napi::CallbackInfo& info, const char* fn, Fn f) {
  try {
    f();
  } catch (const std::bad_alloc&) {
    throw Napi::Error::New(info.Env(), std::string("keel native ") + fn + ": out of memory");
  }
  return info.Env().Undefined();
}

// lstm(x, kernel, rk, bias, h0, c0, mask, rmask, y, gates, c, h, attrs)
Napi::Value Lstm(const Napi::CallbackInfo& info) {
  const char* fn = "lstm";
  check_args(info, 13, fn);
  const keel::RnnDims d = dims_of(info, 12, fn, 4);
  const Sizes n(d, 4, 2, 4);
  float* x = arr(info, 0, fn, "x", n.x);
  float* k = arr(info, 1, fn, "kernel", n.kernel);
  float* rk = arr(info, 2, fn, "recurrentKernel", n.rk);
  float* bias = arr(info, 3, fn, "bias", n.bias);
  float* h0 = arr(info, 4, fn, "h0", n.state);
  float* c0 = arr(info, 5, fn, "c0", n.state);
  float* mask = arr(info, 6, fn, "mask", n.mask);
  float* rm = arr(info, 7, fn, "recurrentMask", n.state);
  float* y = arr(info, 8, fn, "y", n.seq);
  float* g = arr(info, 9, fn, "gates", n.gates);
  float* c = arr(info, 10, fn, "c", n.states);
  float* h = arr(info, 11, fn, "h", n.states);
  return guarded(info, fn, [&] { keel::lstm_forward(d, x, k, rk, bias, h0, c0, mask, rm, y, g, c, h); });
}

// lstmBackward(dy, x, kernel, rk, gates, c, h, mask, rmask, dx, dKernel, dRk, dBias, dh0, dc0, attrs)
Napi::Value LstmBackward(const Napi::CallbackInfo& info) {
  const char* fn = "lstmBackward";
  check_args(info, 16, fn);
  const keel::RnnDims d = dims_of(info, 15, fn, 4);
  const Sizes n(d, 4, 2, 4);
  float* dy = arr(info, 0, fn, "dy", n.seq);
  float* x = arr(info, 1, fn, "x", n.x);
  float* k = arr(info, 2, fn, "kernel", n.kernel);
  float* rk = arr(info, 3, fn, "recurrentKernel", n.rk);
  float* g = arr(info, 4, fn, "gates", n.gates);
  float* c = arr(info, 5, fn, "c", n.states);
  float* h = arr(info, 6, fn, "h", n.states);
  float* mask = arr(info, 7, fn, "mask", n.mask);
  float* rm = arr(info, 8, fn, "recurrentMask", n.state);
  float* dx = arr(info, 9, fn, "dx", n.x);
  float* dk = arr(info, 10, fn, "dKernel", n.kernel);
  float* drk = arr(info, 11, fn, "dRecurrentKernel", n.rk);
  float* db = arr(info, 12, fn, "dBias", n.bias);
  float* dh0 = arr(info, 13, fn, "dh0", n.state);
  float* dc0 = arr(info, 14, fn, "dc0", n.state);
  return guarded(info, fn, [&] {
    keel::lstm_backward(d, dy, x, k, rk, g, c, h, mask, rm, dx, dk, drk, db, dh0, dc0);
  });
}

// gru(x, kernel, rk, bias, h0, mask, rmask, y, gates, h, attrs)
Napi::Value Gru(const Napi::CallbackInfo& info) {
  const char* fn = "gru";
  check_args(info, 11, fn);
  const keel::RnnDims d = dims_of(info, 10, fn, 3);
  const Sizes n(d, 3, 1, 4);
  float* x = arr(info, 0, fn, "x", n.x);
  float* k = arr(info, 1, fn, "kernel", n.kernel);
  float* rk = arr(info, 2, fn, "recurrentKernel", n.rk);
  float* bias = arr(info, 3, fn, "bias", n.bias);
  float* h0 = arr(info, 4, fn, "h0", n.state);
  float* mask = arr(info, 5, fn, "mask", n.mask);
  float* rm = arr(info, 6, fn, "recurrentMask", n.state);
  float* y = arr(info, 7, fn, "y", n.seq);
  float* g = arr(info, 8, fn, "gates", n.gates);
  float* h = arr(info, 9, fn, "h", n.states);
  return guarded(info, fn, [&] { keel::gru_forward(d, x, k, rk, bias, h0, mask, rm, y, g, h); });
}

// gruBackward(dy, x, kernel, rk, gates, h, mask, rmask, dx, dKernel, dRk, dBias, dh0, attrs)
Napi::Value GruBackward(const Napi::CallbackInfo& info) {
  const char* fn = "gruBackward";
  check_args(info, 14, fn);
  const keel::RnnDims d = dims_of(info, 13, fn, 3);
  const Sizes n(d, 3, 1, 4);
  float* dy = arr(info, 0, fn, "dy", n.seq);
  float* x = arr(info, 1, fn, "x", n.x);
  float* k = arr(info, 2, fn, "kernel", n.kernel);
  float* rk = arr(info, 3, fn, "recurrentKernel", n.rk);
  float* g = arr(info, 4, fn, "gates", n.gates);
  float* h = arr(info, 5, fn, "h", n.states);
  float* mask = arr(info, 6, fn, "mask", n.mask);
  float* rm = arr(info, 7, fn, "recurrentMask", n.state);
  float* dx = arr(info, 8, fn, "dx", n.x);
  float* dk = arr(info, 9, fn, "dKernel", n.kernel);
  float* drk = arr(info, 10, fn, "dRecurrentKernel", n.rk);
  float* db = arr(info, 11, fn, "dBias", n.bias);
  float* dh0 = arr(info, 12, fn, "dh0", n.state);
  return guarded(info, fn, [&] {
    keel::gru_backward(d, dy, x, k, rk, g, h, mask, rm, dx, dk, drk, db, dh0);
  });
}

// simpleRnn(x, kernel, rk, bias, h0, mask, rmask, y, h, attrs)
Napi::Value SimpleRnn(const Napi::CallbackInfo& info) {
  const char* fn = "simpleRnn";
  check_args(info, 10, fn);
  const keel::RnnDims d = dims_of(info, 9, fn, 1);
  const Sizes n(d, 1, 1, 0);
  float* x = arr(info, 0, fn, "x", n.x);
  float* k = arr(info, 1, fn, "kernel", n.kernel);
  float* rk = arr(info, 2, fn, "recurrentKernel", n.rk);
  float* bias = arr(info, 3, fn, "bias", n.bias);
  float* h0 = arr(info, 4, fn, "h0", n.state);
  float* mask = arr(info, 5, fn, "mask", n.mask);
  float* rm = arr(info, 6, fn, "recurrentMask", n.state);
  float* y = arr(info, 7, fn, "y", n.seq);
  float* h = arr(info, 8, fn, "h", n.states);
  return guarded(info, fn, [&] { keel::simple_rnn_forward(d, x, k, rk, bias, h0, mask, rm, y, h); });
}

// simpleRnnBackward(dy, x, kernel, rk, h, mask, rmask, dx, dKernel, dRk, dBias, dh0, attrs)
Napi::Value SimpleRnnBackward(const Napi::CallbackInfo& info) {
  const char* fn = "simpleRnnBackward";
  check_args(info, 13, fn);
  const keel::RnnDims d = dims_of(info, 12, fn, 1);
  const Sizes n(d, 1, 1, 0);
  float* dy = arr(info, 0, fn, "dy", n.seq);
  float* x = arr(info, 1, fn, "x", n.x);
  float* k = arr(info, 2, fn, "kernel", n.kernel);
  float* rk = arr(info, 3, fn, "recurrentKernel", n.rk);
  float* h = arr(info, 4, fn, "h", n.states);
  float* mask = arr(info, 5, fn, "mask", n.mask);
  float* rm = arr(info, 6, fn, "recurrentMask", n.state);
  float* dx = arr(info, 7, fn, "dx", n.x);
  float* dk = arr(info, 8, fn, "dKernel", n.kernel);
  float* drk = arr(info, 9, fn, "dRecurrentKernel", n.rk);
  float* db = arr(info, 10, fn, "dBias", n.bias);
  float* dh0 = arr(info, 11, fn, "dh0", n.state);
  return guarded(info, fn, [&] {
    keel::simple_rnn_backward(d, dy, x, k, rk, h, mask, rm, dx, dk, drk, db, dh0);
  });
}

}  // namespace

KEEL_NAPI_EXPORT("lstm", Lstm);
KEEL_NAPI_EXPORT("lstmBackward", LstmBackward);
KEEL_NAPI_EXPORT("gru", Gru);
KEEL_NAPI_EXPORT("gruBackward", GruBackward);
KEEL_NAPI_EXPORT("simpleRnn", SimpleRnn);
KEEL_NAPI_EXPORT("simpleRnnBackward", SimpleRnnBackward);
