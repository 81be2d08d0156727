// The sparse Dense of native/sparse (kernels.ts SparseDenseAttrs): y [M, N] = x [M, K] · W (+ bias)
// with W [K, N] in CSR over its columns. Products are summed in double (four partial sums, as in
// SparseDenseAttrs) and rounded
// once, so the result equals the TypeScript reference bit for bit with or without FMA
// contraction (a float·float product is exact in double). Every index is checked here, so a
// call from JavaScript cannot read out of bounds.
#include <napi.h>

#include <string>

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

void sparse_dense_rows(const float* x, const int32_t* row_ptr, const int32_t* col,
                       const float* val, const float* bias, float* y, int64_t K, int64_t N,
                       bool relu, int64_t begin, int64_t end) {
  for (int64_t o = begin; o < end; o++) {
    const int64_t i = o / N, j = o % N;
    const float* xr = x + i * K;
    // Four partial sums (entry p into sum p % 4 of its unit), combined (s0 + s1) + (s2 + s3):
    // four independent add chains instead of one.
    double s[4] = {0, 0, 0, 0};
    const int32_t b = row_ptr[j], e = row_ptr[j + 1];
    int32_t p = b;
    for (; p + 4 <= e; p += 4)
      for (int r = 0; r < 4; r++)
        s[r] += static_cast<double>(val[p + r]) * static_cast<double>(xr[col[p + r]]);
    for (; p < e; p++) s[(p - b) & 3] += static_cast<double>(val[p]) * static_cast<double>(xr[col[p]]);
    double acc = (s[0] + s[1]) + (s[2] + s[3]);
    if (bias) acc += static_cast<double>(bias[j]);
    const float v = static_cast<float>(acc);
    y[o] = relu && !(v > 0) ? 0.0f : v;
  }
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
  // Threads pay only when there is enough work: about 16k multiply-adds per chunk.
  const double work = static_cast<double>(M) * static_cast<double>(col.length);
  if (work < 65536.0) {
    sparse_dense_rows(x.data, row_ptr.data, col.data, val.data, b, y.data, K, N, relu, 0,
                      outputs);
  } else {
    const int64_t per = col.length / (N > 0 ? N : 1) + 1;
    const int64_t grain = 16384 / per + 1;
    keel::parallel_for(outputs, grain, [&](int64_t begin, int64_t end) {
      sparse_dense_rows(x.data, row_ptr.data, col.data, val.data, b, y.data, K, N, relu, begin,
                        end);
    });
  }
  return info.Env().Undefined();
}

}  // namespace

KEEL_NAPI_EXPORT("sparseDense", SparseDense);
