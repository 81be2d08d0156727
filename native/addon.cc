// The Node-API surface of the native backend. Every function validates its arguments again here
// (types, integer ranges, and that each typed array is long enough for the sizes it is given), so
// no call from JavaScript can make a kernel read or write out of bounds. Kernels work directly on
// the JavaScript-owned Float32Array storage: nothing is copied and nothing is retained.
#include <napi.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <string>

#include "dispatch.h"
#include "elementwise/elementwise.h"
#include "elementwise/ops.h"
#include "gemm/gemm.h"
#include "optim/optimizers.h"
#include "threadpool.h"
#include "napi_attrs.h"
#include "napi_guard.h"

namespace {

using keel::GemmArgs;
using namespace keel::napi;

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("isa", keel::isa().name);
  o.Set("threads", keel::num_threads());
  const keel::Isa* all[8];
  int n = keel::supported_isas(all, 8);
  Napi::Array isas = Napi::Array::New(env, n);
  for (int i = 0; i < n; i++) isas.Set(i, all[i]->name);
  o.Set("isas", isas);
  return o;
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  check_args(info, 1, "setNumThreads");
  keel::set_num_threads(static_cast<int>(int_arg(info, 0, "setNumThreads", "threads", 1)));
  return info.Env().Undefined();
}

Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  check_args(info, 1, "setIsa");
  if (!info[0].IsString()) throw Napi::TypeError::New(info.Env(), "keel native setIsa: expected a name");
  return Napi::Boolean::New(info.Env(), keel::set_isa(info[0].As<Napi::String>().Utf8Value().c_str()));
}

// matMul(a, b, c, batch, M, N, K, aBatchStride, bBatchStride, transposeA, transposeB, accumulate)
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  const char* fn = "matMul";
  check_args(info, 12, fn);
  F32 a = f32_arg(info, 0, fn, "a"), b = f32_arg(info, 1, fn, "b"), c = f32_arg(info, 2, fn, "c");
  int64_t batch = int_arg(info, 3, fn, "batch"), M = int_arg(info, 4, fn, "M"),
          N = int_arg(info, 5, fn, "N"), K = int_arg(info, 6, fn, "K"),
          as = int_arg(info, 7, fn, "aBatchStride"), bs = int_arg(info, 8, fn, "bBatchStride");
  bool ta = bool_arg(info, 9, fn, "transposeA"), tb = bool_arg(info, 10, fn, "transposeB");
  bool acc = bool_arg(info, 11, fn, "accumulate");
  if (batch == 0 || M == 0 || N == 0) return info.Env().Undefined();
  double mk = static_cast<double>(M) * K, kn = static_cast<double>(K) * N;
  check_len(info, a, mk == 0 ? 0 : static_cast<double>(batch - 1) * as + mk, fn, "a");
  check_len(info, b, kn == 0 ? 0 : static_cast<double>(batch - 1) * bs + kn, fn, "b");
  check_len(info, c, static_cast<double>(batch) * M * N, fn, "c");
  GemmArgs g{M, N, K, a.data, ta ? 1 : K, ta ? M : 1, b.data, tb ? 1 : N, tb ? K : 1,
             c.data, N, acc};
  keel::sgemm_batched(g, batch, as, bs, M * N);
  return info.Env().Undefined();
}

// unary(op, x, y, alpha, beta)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  const char* fn = "unary";
  check_args(info, 5, fn);
  int64_t op = int_arg(info, 0, fn, "op");
  if (op >= static_cast<int64_t>(keel::UnaryOp::count)) throw Napi::RangeError::New(info.Env(), "keel native unary: unknown op");
  F32 x = f32_arg(info, 1, fn, "x"), y = f32_arg(info, 2, fn, "y");
  if (x.length != y.length) throw Napi::RangeError::New(info.Env(), "keel native unary: x and y differ in length");
  keel::unary_f32(static_cast<int>(op), x.data, y.data, static_cast<int64_t>(x.length),
                  static_cast<float>(num_arg(info, 3, fn, "alpha")),
                  static_cast<float>(num_arg(info, 4, fn, "beta")));
  return info.Env().Undefined();
}

// binary(op, a, b, y, shape, aStrides, bStrides): the three last are Float64Arrays of one rank.
Napi::Value Binary(const Napi::CallbackInfo& info) {
  const char* fn = "binary";
  check_args(info, 7, fn);
  int64_t op = int_arg(info, 0, fn, "op");
  if (op >= static_cast<int64_t>(keel::BinaryOp::count)) throw Napi::RangeError::New(info.Env(), "keel native binary: unknown op");
  F32 a = f32_arg(info, 1, fn, "a"), b = f32_arg(info, 2, fn, "b"), y = f32_arg(info, 3, fn, "y");
  int64_t dims[3][16];
  size_t rank = 0;
  for (int t = 0; t < 3; t++) {
    Napi::Value v = info[4 + t];
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
      throw Napi::TypeError::New(info.Env(), "keel native binary: shape and strides must be Float64Arrays");
    Napi::Float64Array arr = v.As<Napi::Float64Array>();
    if (t == 0) rank = arr.ElementLength();
    if (arr.ElementLength() != rank || rank > 16)
      throw Napi::RangeError::New(info.Env(), "keel native binary: shape and strides need one rank <= 16");
    for (size_t d = 0; d < rank; d++) {
      double x = arr[d];
      if (!(x >= 0 && x <= 4294967296.0) || std::floor(x) != x)
        throw Napi::RangeError::New(info.Env(), "keel native binary: bad shape or stride");
      dims[t][d] = static_cast<int64_t>(x);
    }
  }
  // The output is exactly the shape; each input must hold its furthest element.
  double n = 1, amax = 0, bmax = 0;
  for (size_t d = 0; d < rank; d++) {
    n *= static_cast<double>(dims[0][d]);
    amax += static_cast<double>(dims[0][d] - 1) * dims[1][d];
    bmax += static_cast<double>(dims[0][d] - 1) * dims[2][d];
  }
  if (n != y.length) throw Napi::RangeError::New(info.Env(), "keel native binary: y does not match the shape");
  if (n > 0) {
    check_len(info, a, amax + 1, fn, "a");
    check_len(info, b, bmax + 1, fn, "b");
  }
  keel::binary_f32(static_cast<int>(op), a.data, dims[1], b.data, dims[2], y.data, dims[0],
                   static_cast<int>(rank));
  return info.Env().Undefined();
}

// reduce(op, x, y, outer, R, inner)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  const char* fn = "reduce";
  check_args(info, 6, fn);
  int64_t op = int_arg(info, 0, fn, "op");
  if (op >= static_cast<int64_t>(keel::ReduceOp::count)) throw Napi::RangeError::New(info.Env(), "keel native reduce: unknown op");
  F32 x = f32_arg(info, 1, fn, "x"), y = f32_arg(info, 2, fn, "y");
  int64_t outer = int_arg(info, 3, fn, "outer"), R = int_arg(info, 4, fn, "R"),
          inner = int_arg(info, 5, fn, "inner");
  check_len(info, x, static_cast<double>(outer) * R * inner, fn, "x");
  check_len(info, y, static_cast<double>(outer) * inner, fn, "y");
  keel::reduce_f32(static_cast<int>(op), x.data, y.data, outer, R, inner);
  return info.Env().Undefined();
}

// sgdUpdate(g, w, m | null, lr, momentum, nesterov, decay)
Napi::Value SgdUpdate(const Napi::CallbackInfo& info) {
  const char* fn = "sgdUpdate";
  check_args(info, 7, fn);
  F32 w = f32_arg(info, 1, fn, "w");
  const float* g = slot_arg(info, 0, fn, "g", w.length, false);
  float* m = slot_arg(info, 2, fn, "m", w.length, true);
  keel::sgd_update(g, w.data, m, static_cast<int64_t>(w.length), num_arg(info, 3, fn, "lr"), num_arg(info, 4, fn, "momentum"),
                   bool_arg(info, 5, fn, "nesterov"), num_arg(info, 6, fn, "decay"));
  return info.Env().Undefined();
}

// adamUpdate(g, w, m, v, vHat | null, alpha, beta1, beta2, epsilon, decay, gradScale)
Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  const char* fn = "adamUpdate";
  check_args(info, 11, fn);
  F32 w = f32_arg(info, 1, fn, "w");
  const float* g = slot_arg(info, 0, fn, "g", w.length, false);
  float* m = slot_arg(info, 2, fn, "m", w.length, false);
  float* v = slot_arg(info, 3, fn, "v", w.length, false);
  float* vh = slot_arg(info, 4, fn, "vHat", w.length, true);
  keel::adam_update(g, w.data, m, v, vh, static_cast<int64_t>(w.length), num_arg(info, 5, fn, "alpha"), num_arg(info, 6, fn, "beta1"),
                    num_arg(info, 7, fn, "beta2"), num_arg(info, 8, fn, "epsilon"), num_arg(info, 9, fn, "decay"), num_arg(info, 10, fn, "gradScale"));
  return info.Env().Undefined();
}

// rmspropUpdate(g, w, v, mom | null, avg | null, lr, rho, momentum, epsilon, decay)
Napi::Value RmspropUpdate(const Napi::CallbackInfo& info) {
  const char* fn = "rmspropUpdate";
  check_args(info, 10, fn);
  F32 w = f32_arg(info, 1, fn, "w");
  const float* g = slot_arg(info, 0, fn, "g", w.length, false);
  float* v = slot_arg(info, 2, fn, "v", w.length, false);
  float* mom = slot_arg(info, 3, fn, "momentum slot", w.length, true);
  float* avg = slot_arg(info, 4, fn, "average gradient", w.length, true);
  keel::rmsprop_update(g, w.data, v, mom, avg, static_cast<int64_t>(w.length), num_arg(info, 5, fn, "lr"), num_arg(info, 6, fn, "rho"),
                       num_arg(info, 7, fn, "momentum"), num_arg(info, 8, fn, "epsilon"), num_arg(info, 9, fn, "decay"));
  return info.Env().Undefined();
}

Napi::Array names(Napi::Env env, const char* const* list, size_t n) {
  Napi::Array a = Napi::Array::New(env, n);
  for (size_t i = 0; i < n; i++) a.Set(static_cast<uint32_t>(i), list[i]);
  return a;
}

Napi::Array names(Napi::Env env, std::initializer_list<const char*> list) {
  return names(env, list.begin(), list.size());
}

/** attrLayouts: every attribute layout's field names in order (napi_attrs.h), by key. */
Napi::Object attr_layouts(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  for (const auto& l : keel::napi::layouts_list()) o.Set(l.key, names(env, l.fields, l.count));
  return o;
}

/**
 * glibc returns freed memory to the OS eagerly (its trim threshold is 128 KiB and adapts), so every
 * fresh tensor buffer of a few hundred KiB page-faults again: an 86 KiB conv output cost ~54 us to
 * allocate instead of ~14 us. Keep up to 64 MiB of freed heap and serve blocks below 4 MiB from the
 * heap (what PyTorch's caching allocator achieves its own way). KEEL_MALLOC_TUNE=0 leaves glibc as is.
 */
void tune_malloc() {
#if defined(__GLIBC__)
  const char* v = std::getenv("KEEL_MALLOC_TUNE");
  if (v != nullptr && std::strcmp(v, "0") == 0) return;
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  tune_malloc();
#define KEEL_NAME(name) #name,
  exports.Set("unaryOps", names(env, {KEEL_UNARY_OPS(KEEL_NAME)}));
  exports.Set("binaryOps", names(env, {KEEL_BINARY_OPS(KEEL_NAME)}));
  exports.Set("reduceOps", names(env, {KEEL_REDUCE_OPS(KEEL_NAME)}));
#undef KEEL_NAME
  exports.Set("attrLayouts", attr_layouts(env));
  exports.Set("info", guarded_function(env, "info", Info));
  exports.Set("setNumThreads", guarded_function(env, "setNumThreads", SetNumThreads));
  exports.Set("setIsa", guarded_function(env, "setIsa", SetIsa));
  exports.Set("matMul", guarded_function(env, "matMul", MatMul));
  exports.Set("unary", guarded_function(env, "unary", Unary));
  exports.Set("binary", guarded_function(env, "binary", Binary));
  exports.Set("reduce", guarded_function(env, "reduce", Reduce));
  exports.Set("sgdUpdate", guarded_function(env, "sgdUpdate", SgdUpdate));
  exports.Set("adamUpdate", guarded_function(env, "adamUpdate", AdamUpdate));
  exports.Set("rmspropUpdate", guarded_function(env, "rmspropUpdate", RmspropUpdate));
  for (const auto& e : keel::napi::exports_list()) {
    exports.Set(e.name, guarded_function(env, e.name, e.fn));
  }
  return exports;
}

}  // namespace

namespace keel {
namespace napi {
std::vector<Export>& exports_list() {
  static std::vector<Export> list;
  return list;
}
std::vector<Layout>& layouts_list() {
  static std::vector<Layout> list;
  return list;
}
}  // namespace napi
}  // namespace keel

NODE_API_MODULE(keel, Init)
