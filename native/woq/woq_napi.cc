// Node-API entry point of native/woq: weightOnlyMatMul(x, w, scale, colsum, bias | null, y, M, K,
// N, bits, groupSize). Every array's type and length is checked against the layout of kernels.h
// before a kernel runs. Each row of x is quantized here (int8, symmetric, max |x| / 127, the
// quotient rounded half to even in float32), the rule of the TypeScript reference
// (src/compress/weight-only/reference.ts), so both see the same integers.
#include <napi.h>

#include <cmath>
#include <string>
#include <vector>

#include "../dispatch.h"
#include "../napi_args.h"
#include "../threadpool.h"
#include "kernels.h"

namespace {

using namespace keel::napi;

Napi::RangeError bad(const Napi::CallbackInfo& info, const std::string& what) {
  return Napi::RangeError::New(info.Env(), "keel native weightOnlyMatMul: " + what);
}

template <class T>
T* typed(const Napi::CallbackInfo& info, size_t i, napi_typedarray_type type, const char* name,
         const char* what, double n) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type)
    throw Napi::TypeError::New(info.Env(), std::string("keel native weightOnlyMatMul: ") + name +
                                               " must be " + what);
  Napi::TypedArray t = v.As<Napi::TypedArray>();
  if (static_cast<double>(t.ElementLength()) != n)
    throw bad(info, std::string(name) + " has " + count(static_cast<double>(t.ElementLength())) +
                        " elements, expected " + count(n));
  return reinterpret_cast<T*>(static_cast<uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset());
}

Napi::Value WeightOnlyMatMul(const Napi::CallbackInfo& info) {
  const char* fn = "weightOnlyMatMul";
  check_args(info, 11, fn);
  const int64_t M = int_arg(info, 6, fn, "M"), K = int_arg(info, 7, fn, "K", 1),
                N = int_arg(info, 8, fn, "N", 1), bits = int_arg(info, 9, fn, "bits", 4),
                G = int_arg(info, 10, fn, "groupSize");
  if (bits != 8 && bits != 4) throw bad(info, "bits must be 8 or 4");
  if (bits == 4 && (G < 8 || G % 8 != 0 || G > 4096))
    throw bad(info, "groupSize must be a multiple of 8 in [8, 4096] for bits 4");
  const int64_t blocks = (N + keel::woq::kBlock - 1) / keel::woq::kBlock;
  const int64_t groups = bits == 8 ? 1 : (K + G - 1) / G;
  const int64_t Kp = bits == 8 ? (K + 3) / 4 * 4 : groups * G;
  const double n16 = static_cast<double>(blocks) * keel::woq::kBlock;
  product(info, {M, Kp}, fn);
  product(info, {M, N}, fn);
  product(info, {blocks * keel::woq::kBlock, Kp}, fn);
  const float* x = typed<float>(info, 0, napi_float32_array, "x", "a Float32Array",
                                static_cast<double>(M) * K);
  const double wBytes = n16 * static_cast<double>(bits == 8 ? Kp : Kp / 2);
  const uint8_t* w = typed<uint8_t>(info, 1, napi_uint8_array, "w", "a Uint8Array", wBytes);
  const double perBlock = n16 * static_cast<double>(groups);
  const float* scale = typed<float>(info, 2, napi_float32_array, "scale", "a Float32Array", perBlock);
  const int32_t* colsum =
      typed<int32_t>(info, 3, napi_int32_array, "colsum", "an Int32Array", perBlock);
  const float* bias = info[4].IsNull() ? nullptr
                                       : typed<float>(info, 4, napi_float32_array, "bias",
                                                      "a Float32Array or null", static_cast<double>(N));
  float* y = typed<float>(info, 5, napi_float32_array, "y", "a Float32Array",
                          static_cast<double>(M) * N);
  if (M == 0) return info.Env().Undefined();

  // Per-thread scratch reused across calls (decoding calls this a few times per token).
  thread_local std::vector<int8_t> xq;
  thread_local std::vector<float> xs;
  xq.resize(static_cast<size_t>(M * Kp));
  xs.resize(static_cast<size_t>(M));
  for (int64_t r = 0; r < M; r++) keel::woq::quantize_row(x + r * K, K, Kp, xq.data() + r * Kp, &xs[r]);

  keel::woq::Problem p{xq.data(), xs.data(), w, scale, colsum, bias, y, M, K, N, Kp, groups, G,
                       static_cast<int>(bits)};
  const keel::woq::BlocksFn run = keel::woq::blocks_for(keel::isa().name);
  const int64_t items = M * blocks;
  // Threads pay from about 256k multiply-adds on (a decoding step's 128x384 stays on one thread).
  const double work = static_cast<double>(M) * static_cast<double>(Kp) * n16;
  if (work < 262144.0) {
    run(p, 0, items);
  } else {
    const int64_t grain = std::max<int64_t>(1, static_cast<int64_t>(65536 / (Kp * 16)) + 1);
    keel::parallel_for_dynamic(items, grain, [&](int64_t b, int64_t e) { run(p, b, e); });
  }
  return info.Env().Undefined();
}

// The path weightOnlyMatMul takes on the ISA in use (for tests and benchmarks).
Napi::Value WeightOnlyPath(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), keel::woq::path_for(keel::isa().name));
}

}  // namespace

KEEL_NAPI_EXPORT("weightOnlyMatMul", WeightOnlyMatMul);
KEEL_NAPI_EXPORT("weightOnlyPath", WeightOnlyPath);
