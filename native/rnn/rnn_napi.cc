// Node-API entry points of the fused recurrent kernels, one row of kKernels each (as the SPECS of
// src/backends/native/kernels/rnn.ts): the Float32Arrays in the TypeScript kernel's order (inputs,
// then outputs; bias omitted from the backward ones, which do not read it), then the attrs
// (KEEL_RNN_ATTRS); every array must have exactly the length the sizes give.
#include <napi.h>

#include <new>
#include <string>
#include <utility>

#include "../napi_attrs.h"
#include "rnn.h"

/** RnnDims of rnn-common.ts: X(field, least value); goBackwards is 0/1, activations RnnAct codes. */
#define KEEL_RNN_ATTRS(X)                                                                 \
  X(batch, 0) X(steps, 0) X(inDim, 0) X(units, 0) X(goBackwards, 0) X(activation, 0) \
  X(recurrentActivation, 0)

namespace {

using namespace keel::napi;

struct RnnAttrs {
  KEEL_RNN_ATTRS(KEEL_ATTR_MEMBER)
};

KEEL_NAPI_ATTRS(rnn, RnnAttrs, KEEL_RNN_ATTRS)

/** The attrs, checked: counts, goBackwards 0/1, activation codes 0..5, sizes an int can hold. */
keel::RnnDims dims_of(const Napi::CallbackInfo& info, size_t i, const char* fn, int gates) {
  const RnnAttrs v = rnn_attrs(info, i, fn);
  if (v.goBackwards > 1 || v.activation > keel::kTfjsHardSigmoid || v.recurrentActivation > keel::kTfjsHardSigmoid)
    throw Napi::RangeError::New(info.Env(), std::string("keel native ") + fn +
                                                ": goBackwards must be 0 or 1 and activations 0..5");
  if (v.batch > 0x7fffffff || v.units * 4 > 0x7fffffff || v.inDim > 0x7fffffff)
    throw Napi::RangeError::New(info.Env(), std::string("keel native ") + fn + ": sizes are too large");
  product(info, {v.batch, v.steps + 2, v.units * 4}, fn);
  product(info, {v.batch, v.steps, v.inDim > gates * v.units ? v.inDim : gates * v.units}, fn);
  return {v.batch, v.steps, v.inDim, v.units, v.goBackwards == 1, static_cast<int>(v.activation),
          static_cast<int>(v.recurrentActivation)};
}

/** The named arrays' lengths for dims d. */
struct Sizes {
  double x, kernel, rk, state, mask, seq, gates, states, bias;
};

constexpr size_t kMaxArrays = 15;

/** One kernel: its gate blocks (4 LSTM, 3 GRU, 1 SimpleRNN), the extra rows of y after the steps,
 * the gate rows it saves per step, its arrays in argument order and the layer function. */
struct Kernel {
  const char* name;
  int gates, packed_states, saved_gates;
  struct Array {
    const char* name;
    double Sizes::*length;
  } arrays[kMaxArrays];  // the unused rest have no name
  void (*run)(const keel::RnnDims& d, float* const* a);
};

Sizes sizes(const keel::RnnDims& d, const Kernel& k) {
  const double B = static_cast<double>(d.batch), T = static_cast<double>(d.steps),
               I = static_cast<double>(d.in), U = static_cast<double>(d.units);
  const int g = k.gates;
  return {B * T * I,     I * g * U, U * g * U, B * U, B * T, B * (T + k.packed_states) * U,
          T * B * k.saved_gates * U, (T + 1) * B * U, (g == 3 ? 2.0 : 1.0) * g * U};
}

constexpr Kernel kKernels[] = {
    {"lstm", 4, 2, 4,
     {{"x", &Sizes::x}, {"kernel", &Sizes::kernel}, {"recurrentKernel", &Sizes::rk},
      {"bias", &Sizes::bias}, {"h0", &Sizes::state}, {"c0", &Sizes::state},
      {"mask", &Sizes::mask}, {"recurrentMask", &Sizes::state}, {"y", &Sizes::seq},
      {"gates", &Sizes::gates}, {"c", &Sizes::states}, {"h", &Sizes::states}},
     [](const keel::RnnDims& d, float* const* a) {
       keel::lstm_forward(d, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10],
                          a[11]);
     }},
    {"lstmBackward", 4, 2, 4,
     {{"dy", &Sizes::seq}, {"x", &Sizes::x}, {"kernel", &Sizes::kernel},
      {"recurrentKernel", &Sizes::rk}, {"gates", &Sizes::gates}, {"c", &Sizes::states},
      {"h", &Sizes::states}, {"mask", &Sizes::mask}, {"recurrentMask", &Sizes::state},
      {"dx", &Sizes::x}, {"dKernel", &Sizes::kernel}, {"dRecurrentKernel", &Sizes::rk},
      {"dBias", &Sizes::bias}, {"dh0", &Sizes::state}, {"dc0", &Sizes::state}},
     [](const keel::RnnDims& d, float* const* a) {
       keel::lstm_backward(d, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10],
                           a[11], a[12], a[13], a[14]);
     }},
    {"gru", 3, 1, 4,
     {{"x", &Sizes::x}, {"kernel", &Sizes::kernel}, {"recurrentKernel", &Sizes::rk},
      {"bias", &Sizes::bias}, {"h0", &Sizes::state}, {"mask", &Sizes::mask},
      {"recurrentMask", &Sizes::state}, {"y", &Sizes::seq}, {"gates", &Sizes::gates},
      {"h", &Sizes::states}},
     [](const keel::RnnDims& d, float* const* a) {
       keel::gru_forward(d, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);
     }},
    {"gruBackward", 3, 1, 4,
     {{"dy", &Sizes::seq}, {"x", &Sizes::x}, {"kernel", &Sizes::kernel},
      {"recurrentKernel", &Sizes::rk}, {"gates", &Sizes::gates}, {"h", &Sizes::states},
      {"mask", &Sizes::mask}, {"recurrentMask", &Sizes::state}, {"dx", &Sizes::x},
      {"dKernel", &Sizes::kernel}, {"dRecurrentKernel", &Sizes::rk}, {"dBias", &Sizes::bias},
      {"dh0", &Sizes::state}},
     [](const keel::RnnDims& d, float* const* a) {
       keel::gru_backward(d, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10],
                          a[11], a[12]);
     }},
    {"simpleRnn", 1, 1, 0,
     {{"x", &Sizes::x}, {"kernel", &Sizes::kernel}, {"recurrentKernel", &Sizes::rk},
      {"bias", &Sizes::bias}, {"h0", &Sizes::state}, {"mask", &Sizes::mask},
      {"recurrentMask", &Sizes::state}, {"y", &Sizes::seq}, {"h", &Sizes::states}},
     [](const keel::RnnDims& d, float* const* a) {
       keel::simple_rnn_forward(d, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]);
     }},
    {"simpleRnnBackward", 1, 1, 0,
     {{"dy", &Sizes::seq}, {"x", &Sizes::x}, {"kernel", &Sizes::kernel},
      {"recurrentKernel", &Sizes::rk}, {"h", &Sizes::states}, {"mask", &Sizes::mask},
      {"recurrentMask", &Sizes::state}, {"dx", &Sizes::x}, {"dKernel", &Sizes::kernel},
      {"dRecurrentKernel", &Sizes::rk}, {"dBias", &Sizes::bias}, {"dh0", &Sizes::state}},
     [](const keel::RnnDims& d, float* const* a) {
       keel::simple_rnn_backward(d, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
                                 a[10], a[11]);
     }},
};

/** Kernel k's call: every array checked to have exactly its length, then the layer run (an
 * allocation failure inside becomes a JavaScript error). */
Napi::Value call(const Napi::CallbackInfo& info, const Kernel& k) {
  const char* fn = k.name;
  size_t arrays = 0;
  while (arrays < kMaxArrays && k.arrays[arrays].name) arrays++;
  check_args(info, arrays + 1, fn);
  const keel::RnnDims d = dims_of(info, arrays, fn, k.gates);
  const Sizes n = sizes(d, k);
  float* a[kMaxArrays];
  for (size_t i = 0; i < arrays; i++) {
    const Kernel::Array& arr = k.arrays[i];
    F32 t = f32_arg(info, i, fn, arr.name);
    if (t.length != n.*arr.length)
      throw Napi::RangeError::New(info.Env(), std::string("keel native ") + fn + ": " + arr.name +
                                                  " has " + count(t.length) + " elements, expected " +
                                                  count(n.*arr.length));
    a[i] = t.data;
  }
  try {
    k.run(d, a);
  } catch (const std::bad_alloc&) {
    throw Napi::Error::New(info.Env(), std::string("keel native ") + fn + ": out of memory");
  }
  return info.Env().Undefined();
}

template <size_t K>
Napi::Value Entry(const Napi::CallbackInfo& info) {
  return call(info, kKernels[K]);
}

/** Exports every row of kKernels under its name. */
template <size_t... K>
bool register_kernels(std::index_sequence<K...>) {
  const Export all[] = {{kKernels[K].name, Entry<K>}...};
  for (const Export& e : all) exports_list().push_back(e);
  return true;
}

[[maybe_unused]] const bool registered =
    register_kernels(std::make_index_sequence<sizeof kKernels / sizeof kKernels[0]>());

}  // namespace
