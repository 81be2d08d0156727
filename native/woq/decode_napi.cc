// Node-API entry point of the GPT decoding step (decode.h): gptDecodeStep(config, floats, bytes,
// scales, colsum, kv, tokens, B, T, past, logits). config is a Float64Array [V, L, layers, H, D,
// F, bits, groupSize, relu (0 | 1), eps]. Every size is checked (integers, products below 2^53,
// D divisible by H) and every array's type and exact length against the layout computed from the
// configuration, and every token id against [0, V), before the step runs; the TypeScript caller
// (src/compress/weight-only/native-step.ts) checks the same things first, with its own messages.
#include <napi.h>

#include <cmath>
#include <string>

#include "../napi_args.h"
#include "decode.h"

namespace {

using namespace keel::napi;
constexpr const char* kFn = "gptDecodeStep";

Napi::RangeError bad(const Napi::CallbackInfo& info, const std::string& what) {
  return Napi::RangeError::New(info.Env(), std::string("keel native ") + kFn + ": " + what);
}

template <class T>
T* typed(const Napi::CallbackInfo& info, size_t i, napi_typedarray_type type, const char* name,
         const char* what, double n) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type)
    throw Napi::TypeError::New(info.Env(),
                               std::string("keel native ") + kFn + ": " + name + " must be " + what);
  Napi::TypedArray t = v.As<Napi::TypedArray>();
  if (static_cast<double>(t.ElementLength()) != n)
    throw bad(info, std::string(name) + " has " + count(static_cast<double>(t.ElementLength())) +
                        " elements, expected " + count(n));
  return reinterpret_cast<T*>(static_cast<uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset());
}

keel::woq::GptConfig read_config(const Napi::CallbackInfo& info) {
  int64_t d[10];
  const int64_t lo[10] = {1, 1, 1, 1, 1, 1, 4, 0, 0, 0};
  Napi::Value v = info[0];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      v.As<Napi::Float64Array>().ElementLength() != 10)
    throw Napi::TypeError::New(info.Env(), "keel native gptDecodeStep: config must be a Float64Array of 10");
  Napi::Float64Array a = v.As<Napi::Float64Array>();
  for (int i = 0; i < 9; i++) {
    const double x = a[i];
    if (!(x >= static_cast<double>(lo[i]) && x <= 4294967296.0) || std::floor(x) != x)
      throw bad(info, "config entry " + std::to_string(i) + " is not an integer in range");
    d[i] = static_cast<int64_t>(x);
  }
  const double eps = a[9];
  if (!(eps >= 0 && std::isfinite(eps))) throw bad(info, "eps must be a finite number >= 0");
  keel::woq::GptConfig c{d[0], d[1], d[2], d[3], d[4], d[5], static_cast<int>(d[6]), d[7],
                         d[8] == 1, static_cast<float>(eps)};
  if (c.bits != 32 && c.bits != 8 && c.bits != 4) throw bad(info, "bits must be 32, 8 or 4");
  if (c.bits == 4 && (c.G < 8 || c.G % 8 != 0 || c.G > 4096))
    throw bad(info, "groupSize must be a multiple of 8 in [8, 4096] for bits 4");
  if (d[8] > 1) throw bad(info, "relu must be 0 or 1");
  if (c.D % c.H != 0) throw bad(info, "hiddenDim must be divisible by numHeads");
  // Every size the layout and the step compute stays below 2^53.
  product(info, {c.V + c.L + c.layers * (c.F + 16) + 16, c.D + c.F + 16, c.layers + 1, 64}, kFn);
  return c;
}

Napi::Value GptDecodeStep(const Napi::CallbackInfo& info) {
  check_args(info, 11, kFn);
  const keel::woq::GptConfig c = read_config(info);
  const int64_t B = int_arg(info, 7, kFn, "B", 1), T = int_arg(info, 8, kFn, "T", 1),
                past = int_arg(info, 9, kFn, "past");
  product(info, {B, T, c.V + c.L + c.F + 3 * c.D}, kFn);
  product(info, {B, c.layers, 2, c.L, c.D}, kFn);
  if (past + T > c.L) throw bad(info, "positions past + T exceed the context L");
  // The layout depends on the configuration only: kept for the next step of the same model.
  thread_local keel::woq::GptConfig last{};
  thread_local keel::woq::StepLayout layout;
  const bool same = last.V == c.V && last.L == c.L && last.layers == c.layers && last.H == c.H &&
                    last.D == c.D && last.F == c.F && last.bits == c.bits && last.G == c.G;
  if (!same || layout.matrices.empty()) {
    layout = keel::woq::step_layout(c);
    last = c;
  }
  const double fl = static_cast<double>(layout.floats);
  keel::woq::StepArgs a{};
  a.c = c;
  a.layout = &layout;
  a.floats = typed<float>(info, 1, napi_float32_array, "floats", "a Float32Array", fl);
  a.bytes = typed<uint8_t>(info, 2, napi_uint8_array, "bytes", "a Uint8Array",
                           static_cast<double>(layout.bytes));
  a.scales = typed<float>(info, 3, napi_float32_array, "scales", "a Float32Array",
                          static_cast<double>(layout.entries));
  a.colsum = typed<int32_t>(info, 4, napi_int32_array, "colsum", "an Int32Array",
                            static_cast<double>(layout.entries));
  a.kv = typed<float>(info, 5, napi_float32_array, "kv", "a Float32Array",
                      static_cast<double>(B) * static_cast<double>(layout.kv));
  a.tokens = typed<int32_t>(info, 6, napi_int32_array, "tokens", "an Int32Array",
                            static_cast<double>(B * T));
  a.logits = typed<float>(info, 10, napi_float32_array, "logits", "a Float32Array",
                          static_cast<double>(B * T) * static_cast<double>(c.V));
  for (int64_t r = 0; r < B * T; r++)
    if (a.tokens[r] < 0 || a.tokens[r] >= c.V)
      throw bad(info, "token id " + std::to_string(a.tokens[r]) + " is not in [0, V)");
  a.B = B;
  a.T = T;
  a.past = past;
  keel::woq::decode_step(a);
  return info.Env().Undefined();
}

}  // namespace

KEEL_NAPI_EXPORT("gptDecodeStep", GptDecodeStep);
