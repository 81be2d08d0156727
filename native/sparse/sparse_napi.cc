// The sparse Dense of native/sparse (kernels.ts SparseDenseAttrs): y [M, N] = x [M, K] · W (+ bias)
// with W [K, N] in CSR over its columns. Float32 arithmetic in a fixed order (SparseDenseAttrs):
// unit j's q-th entry is multiplied, rounded, and added into lane q % 8; the lanes are combined
// by a fixed tree. This file is compiled without FMA (binding.gyp's base flags), and the AVX2
// path is a target("avx2") function without "fma", so no multiply-add is ever contracted and
// every path equals the TypeScript reference bit for bit. Every index is checked here, so a call
// from JavaScript cannot read out of bounds.
#include <napi.h>

#include <cstring>
#include <string>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define KEEL_SPARSE_X86 1
#endif

#include "../dispatch.h"
#include "../napi_args.h"
#include "../threadpool.h"

namespace {

using namespace keel::napi;

struct I32 {
  const int32_t* data;
  int64_t length;
};

I32 i32_arg(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw Napi::TypeError::New(info.Env(), std::string("keel native ") + fn + ": " + name +
                                               " must be an Int32Array");
  Napi::Int32Array a = v.As<Napi::Int32Array>();
  return {a.Data(), static_cast<int64_t>(a.ElementLength())};
}

Napi::RangeError bad(const Napi::CallbackInfo& info, const std::string& what) {
  return Napi::RangeError::New(info.Env(), "keel native sparseDense: " + what);
}

// Lanes l and l + 4, then l and l + 2, then 0 and 1, plus the bias; relu clamps at 0 (and NaN).
inline float finish(const float* lane, const float* bias, int64_t j, bool relu) {
  const float t0 = lane[0] + lane[4], t1 = lane[1] + lane[5], t2 = lane[2] + lane[6],
              t3 = lane[3] + lane[7];
  const float u0 = t0 + t2, u1 = t1 + t3;
  float v = u0 + u1;
  if (bias) v = v + bias[j];
  return relu && !(v > 0) ? 0.0f : v;
}

void sparse_dense_rows_scalar(const float* x, const int32_t* row_ptr, const int32_t* col,
                              const float* val, const float* bias, float* y, int64_t K, int64_t N,
                              bool relu, int64_t begin, int64_t end) {
  for (int64_t o = begin; o < end; o++) {
    const int64_t i = o / N, j = o % N;
    const float* xr = x + i * K;
    float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    const int32_t b = row_ptr[j], e = row_ptr[j + 1];
    int32_t p = b;
    for (; p + 8 <= e; p += 8)
      for (int r = 0; r < 8; r++) {
        const float prod = val[p + r] * xr[col[p + r]];
        lane[r] = lane[r] + prod;
      }
    for (int r = 0; p < e; p++, r++) {
      const float prod = val[p] * xr[col[p]];
      lane[r] = lane[r] + prod;
    }
    y[o] = finish(lane, bias, j, relu);
  }
}

#ifdef KEEL_SPARSE_X86
// The same sums with eight entries at a time: a gather of x, a multiply, an add (never fused).
__attribute__((target("avx2"))) void sparse_dense_rows_avx2(
    const float* x, const int32_t* row_ptr, const int32_t* col, const float* val,
    const float* bias, float* y, int64_t K, int64_t N, bool relu, int64_t begin, int64_t end) {
  for (int64_t o = begin; o < end; o++) {
    const int64_t i = o / N, j = o % N;
    const float* xr = x + i * K;
    const int32_t b = row_ptr[j], e = row_ptr[j + 1];
    int32_t p = b;
    __m256 acc = _mm256_setzero_ps();
    for (; p + 8 <= e; p += 8) {
      const __m256i idx = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(col + p));
      const __m256 xv = _mm256_i32gather_ps(xr, idx, 4);
      acc = _mm256_add_ps(acc, _mm256_mul_ps(_mm256_loadu_ps(val + p), xv));
    }
    alignas(32) float lane[8];
    _mm256_store_ps(lane, acc);
    for (int r = 0; p < e; p++, r++) {
      const float prod = val[p] * xr[col[p]];
      lane[r] = lane[r] + prod;
    }
    y[o] = finish(lane, bias, j, relu);
  }
}
#endif

using RowsFn = void (*)(const float*, const int32_t*, const int32_t*, const float*, const float*,
                        float*, int64_t, int64_t, bool, int64_t, int64_t);

// The AVX2 path where the ISA in use has AVX2 (keel::isa(), which the tests switch), else scalar.
RowsFn rows_fn() {
#ifdef KEEL_SPARSE_X86
  const char* name = keel::isa().name;
  for (const char* wide : {"avx2", "avxvnni", "avx512", "avx512vnni"})
    if (std::strcmp(name, wide) == 0) return sparse_dense_rows_avx2;
#endif
  return sparse_dense_rows_scalar;
}

// sparseDense(x, rowPtr, colIdx, values, bias | null, y, M, K, N, relu)
Napi::Value SparseDense(const Napi::CallbackInfo& info) {
  const char* fn = "sparseDense";
  check_args(info, 10, fn);
  F32 x = f32_arg(info, 0, fn, "x");
  I32 row_ptr = i32_arg(info, 1, fn, "rowPtr");
  I32 col = i32_arg(info, 2, fn, "colIdx");
  F32 val = f32_arg(info, 3, fn, "values");
  const bool has_bias = !info[4].IsNull();
  F32 bias = has_bias ? f32_arg(info, 4, fn, "bias") : F32{nullptr, 0};
  F32 y = f32_arg(info, 5, fn, "y");
  const int64_t M = int_arg(info, 6, fn, "M"), K = int_arg(info, 7, fn, "K"),
                N = int_arg(info, 8, fn, "N");
  const bool relu = bool_arg(info, 9, fn, "relu");
  if (x.length != static_cast<double>(M) * K) throw bad(info, "x is not [M, K]");
  if (y.length != static_cast<double>(M) * N) throw bad(info, "y is not [M, N]");
  if (has_bias && bias.length != N) throw bad(info, "bias is not [N]");
  if (row_ptr.length != N + 1 || row_ptr.data[0] != 0 || row_ptr.data[N] != col.length ||
      val.length != col.length)
    throw bad(info, "rowPtr must have N + 1 entries from 0 to nnz, and colIdx and values nnz");
  for (int64_t j = 0; j < N; j++)
    if (row_ptr.data[j] > row_ptr.data[j + 1]) throw bad(info, "rowPtr must not decrease");
  int32_t worst = 0;
  for (int64_t p = 0; p < col.length; p++) worst |= (col.data[p] < 0) | (col.data[p] >= K);
  if (worst) throw bad(info, "a colIdx entry is outside [0, K)");
  const float* b = has_bias ? bias.data : nullptr;
  const int64_t outputs = M * N;
  // Threads pay only when there is enough work (below about 1M products one thread is faster on a
  // loaded machine); about 64k products per chunk.
  const double work = static_cast<double>(M) * static_cast<double>(col.length);
  const RowsFn rows = rows_fn();
  if (work < 1048576.0) {
    rows(x.data, row_ptr.data, col.data, val.data, b, y.data, K, N, relu, 0,
                      outputs);
  } else {
    const int64_t per = col.length / (N > 0 ? N : 1) + 1;
    const int64_t grain = 65536 / per + 1;
    keel::parallel_for(outputs, grain, [&](int64_t begin, int64_t end) {
      rows(x.data, row_ptr.data, col.data, val.data, b, y.data, K, N, relu, begin,
                        end);
    });
  }
  return info.Env().Undefined();
}

}  // namespace

KEEL_NAPI_EXPORT("sparseDense", SparseDense);
