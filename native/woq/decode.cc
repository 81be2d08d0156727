// The GPT decoding step of decode.h: embeddings, per block layer norm, the fused qkv product,
// attention over the in-place key/value cache, the output product and residual, layer norm, the
// feed-forward products with GELU (tanh form) or ReLU and residual; final norm and the head. The
// matrix products run the packed int8/int4 kernels of kernels.cc (each row quantized on the fly,
// as weightOnlyMatMul does) or a float32 row-times-matrix loop (AVX-512 or AVX2+FMA by target
// attribute, or the compiler's baseline); both use the thread pool from 256k multiply-adds on, so the char-GPT
// stays on one thread and a larger model's products spread. Scratch is per thread and reused.
#include "decode.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <vector>

#include "../dispatch.h"
#include "../scratch.h"
#include "../threadpool.h"
#include "kernels.h"

namespace keel {
namespace woq {
namespace {

constexpr double kParallelWork = 262144.0;  // multiply-adds from which threads pay

// y[r, j0..j1) = bias + x[r] · W[:, j0..j1) for each of M rows; W [K, N] row-major. Four rows of
// W per pass over y, so y is loaded and stored K / 4 times.
inline __attribute__((always_inline)) void rows_times_matrix(const float* __restrict x, int64_t M,
                                                             int64_t K, int64_t N,
                                                             const float* __restrict W,
                                                             const float* __restrict bias,
                                                             float* __restrict y, int64_t j0,
                                                             int64_t j1) {
  for (int64_t r = 0; r < M; r++) {
    const float* xr = x + r * K;
    float* __restrict yr = y + r * N;
    for (int64_t j = j0; j < j1; j++) yr[j] = bias ? bias[j] : 0.0f;
    int64_t k = 0;
    for (; k + 4 <= K; k += 4) {
      const float a0 = xr[k], a1 = xr[k + 1], a2 = xr[k + 2], a3 = xr[k + 3];
      const float *w0 = W + k * N, *w1 = w0 + N, *w2 = w1 + N, *w3 = w2 + N;
      for (int64_t j = j0; j < j1; j++)
        yr[j] += a0 * w0[j] + a1 * w1[j] + a2 * w2[j] + a3 * w3[j];
    }
    for (; k < K; k++) {
      const float a = xr[k];
      const float* w = W + k * N;
      for (int64_t j = j0; j < j1; j++) yr[j] += a * w[j];
    }
  }
}

// tanh by Eigen's rational approximation (generic_fast_tanh_float; a few ulp, vectorizable), so
// GELU costs a few multiply-adds per element instead of a libm call.
inline __attribute__((always_inline)) float fast_tanh(float x) {
  const float c = 7.90531110763549805f;
  x = x > c ? c : x < -c ? -c : x;
  const float x2 = x * x;
  float p = -2.76076847742355e-16f;
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  p = p * x;
  float q = 1.19825839466702e-06f;
  q = q * x2 + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  return p / q;
}

inline __attribute__((always_inline)) void gelu_body(float* __restrict x, int64_t n) {
  const float k = 0.7978845608028654f;  // sqrt(2 / pi)
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    x[i] = 0.5f * v * (1.0f + fast_tanh(k * (v + 0.044715f * v * v * v)));
  }
}

#if defined(__x86_64__) || defined(_M_X64)
__attribute__((target("avx2,fma"))) void rows_avx2(const float* x, int64_t M, int64_t K, int64_t N,
                                                   const float* W, const float* bias, float* y,
                                                   int64_t j0, int64_t j1) {
  rows_times_matrix(x, M, K, N, W, bias, y, j0, j1);
}
__attribute__((target("avx2,fma"))) void gelu_avx2(float* x, int64_t n) { gelu_body(x, n); }
__attribute__((target("avx512f,avx512vl,fma,prefer-vector-width=512"))) void rows_avx512(
    const float* x, int64_t M, int64_t K, int64_t N, const float* W, const float* bias, float* y,
    int64_t j0, int64_t j1) {
  rows_times_matrix(x, M, K, N, W, bias, y, j0, j1);
}
__attribute__((target("avx512f,avx512vl,fma,prefer-vector-width=512"))) void gelu_avx512(
    float* x, int64_t n) {
  gelu_body(x, n);
}
#endif
void rows_portable(const float* x, int64_t M, int64_t K, int64_t N, const float* W,
                   const float* bias, float* y, int64_t j0, int64_t j1) {
  rows_times_matrix(x, M, K, N, W, bias, y, j0, j1);
}
void gelu_portable(float* x, int64_t n) { gelu_body(x, n); }

using RowsFn = void (*)(const float*, int64_t, int64_t, int64_t, const float*, const float*,
                        float*, int64_t, int64_t);
using GeluFn = void (*)(float*, int64_t);

/** The float kernels of an ISA: AVX-512 on avx512*, AVX2+FMA on avx2 and avxvnni, else baseline. */
bool wide_isa(const char* name) {
  return std::strcmp(name, "sse2") != 0 && std::strcmp(name, "scalar") != 0;
}
bool avx512_isa(const char* name) { return std::strncmp(name, "avx512", 6) == 0; }

struct Kernels {
  RowsFn rows;
  GeluFn gelu;
  BlocksFn blocks;
};

Kernels kernels_for(const char* isa_name) {
  Kernels k{rows_portable, gelu_portable, blocks_for(isa_name)};
#if defined(__x86_64__) || defined(_M_X64)
  if (avx512_isa(isa_name))
    k = {rows_avx512, gelu_avx512, k.blocks};
  else if (wide_isa(isa_name))
    k = {rows_avx2, gelu_avx2, k.blocks};
#endif
  return k;
}

/** y [M, N] = x [M, K] · m + bias on the matrix's own format. */
void product(const StepArgs& a, const Kernels& kern, const MatrixAt& m, const float* x, int64_t M,
             float* y, std::vector<int8_t>& xq, std::vector<float>& xs) {
  thread_local std::vector<float> part;
  const float* bias = m.bias >= 0 ? a.floats + m.bias : nullptr;
  const double work = static_cast<double>(M) * static_cast<double>(m.K) * static_cast<double>(m.N);
  if (a.c.bits == 32) {
    const float* W = a.floats + m.kernel;
    const int threads = num_threads();
    if (work < kParallelWork || threads <= 1) {
      kern.rows(x, M, m.K, m.N, W, bias, y, 0, m.N);
    } else if (M == 1) {
      // One row: each thread streams a contiguous band of W's rows (k) into its own partial y,
      // then the partials are summed; column bands would read W with a page-sized stride.
      const int64_t P = threads;
      part.resize(scratch_elements("gptDecodeStep partial", {P, m.N}));
      // A pointer, not `part`: inside the lambda a thread_local names the worker's own vector.
      float* const partial = part.data();
      parallel_for(P, 1, [&](int64_t b, int64_t e) {
        for (int64_t t = b; t < e; t++) {
          const int64_t k0 = m.K * t / P, k1 = m.K * (t + 1) / P;
          kern.rows(x + k0, 1, k1 - k0, m.N, W + k0 * m.N, nullptr, partial + t * m.N, 0, m.N);
        }
      });
      for (int64_t j = 0; j < m.N; j++) {
        float v = bias ? bias[j] : 0.0f;
        for (int64_t t = 0; t < P; t++) v += partial[t * m.N + j];
        y[j] = v;
      }
    } else {
      // Several rows: bands of columns, as wide as the threads allow.
      const int64_t width = std::max<int64_t>(64, (m.N / threads + 15) / 16 * 16);
      const int64_t chunks = (m.N + width - 1) / width;
      parallel_for(chunks, 1, [&](int64_t b, int64_t e) {
        kern.rows(x, M, m.K, m.N, W, bias, y, b * width, std::min(e * width, m.N));
      });
    }
    return;
  }
  const int64_t groups = a.c.bits == 8 ? 1 : (m.K + a.c.G - 1) / a.c.G;
  const int64_t Kp = a.c.bits == 8 ? (m.K + 3) / 4 * 4 : groups * a.c.G;
  xq.resize(scratch_elements("gptDecodeStep xq", {M, Kp}));
  xs.resize(scratch_elements("gptDecodeStep xs", {M}));
  for (int64_t r = 0; r < M; r++) quantize_row(x + r * m.K, m.K, Kp, xq.data() + r * Kp, &xs[r]);
  const Problem p{xq.data(), xs.data(), a.bytes + m.bytes, a.scales + m.entry,
                  a.colsum + m.entry, bias, y, M, m.K, m.N, Kp, groups, a.c.G, a.c.bits};
  const int64_t items = M * ((m.N + kBlock - 1) / kBlock);
  if (work < kParallelWork) {
    kern.blocks(p, 0, items);
  } else {
    const int64_t grain = std::max<int64_t>(1, 65536 / (Kp * kBlock) + 1);
    parallel_for_dynamic(items, grain, [&](int64_t b, int64_t e) { kern.blocks(p, b, e); });
  }
}

/** y = (x - mean) / sqrt(var + eps) · gamma + beta per row of D (biased variance). */
void layer_norm(const float* x, float* y, int64_t M, int64_t D, const float* gamma,
                const float* beta, float eps) {
  for (int64_t r = 0; r < M; r++) {
    const float* xr = x + r * D;
    double mean = 0, var = 0;
    for (int64_t d = 0; d < D; d++) mean += xr[d];
    mean /= static_cast<double>(D);
    for (int64_t d = 0; d < D; d++) var += (xr[d] - mean) * (xr[d] - mean);
    const float m = static_cast<float>(mean);
    const float inv = static_cast<float>(1.0 / std::sqrt(var / static_cast<double>(D) + eps));
    for (int64_t d = 0; d < D; d++) y[r * D + d] = (xr[d] - m) * inv * gamma[d] + beta[d];
  }
}

/** Writes the rows' keys and values to the cache, then att = softmax(q · kᵀ / √e) · v per head. */
void attention(const StepArgs& a, int64_t layer, const float* qkv, float* att,
               std::vector<float>& scores) {
  const GptConfig& c = a.c;
  const int64_t H = c.H, D = c.D, L = c.L, e = D / H, T = a.T, M = a.B * a.T;
  float* keys = a.kv + layer * 2 * a.B * H * L * e;
  float* values = keys + a.B * H * L * e;
  for (int64_t r = 0; r < M; r++) {
    const int64_t b = r / T, t = a.past + r % T;
    for (int64_t hd = 0; hd < H; hd++) {
      const int64_t at = ((b * H + hd) * L + t) * e;
      std::memcpy(keys + at, qkv + r * 3 * D + D + hd * e, e * sizeof(float));
      std::memcpy(values + at, qkv + r * 3 * D + 2 * D + hd * e, e * sizeof(float));
    }
  }
  scores.resize(static_cast<size_t>(L));
  const float scale = 1.0f / std::sqrt(static_cast<float>(e));
  for (int64_t r = 0; r < M; r++) {
    const int64_t b = r / T, t = a.past + r % T;
    for (int64_t hd = 0; hd < H; hd++) {
      const float* q = qkv + r * 3 * D + hd * e;
      const int64_t base = (b * H + hd) * L * e;
      float max = -INFINITY;
      for (int64_t j = 0; j <= t; j++) {
        const float* k = keys + base + j * e;
        float s = 0;
        for (int64_t d = 0; d < e; d++) s += q[d] * k[d];
        s *= scale;
        scores[j] = s;
        max = s > max ? s : max;
      }
      float total = 0;
      for (int64_t j = 0; j <= t; j++) {
        scores[j] = std::exp(scores[j] - max);
        total += scores[j];
      }
      float* out = att + r * D + hd * e;
      for (int64_t d = 0; d < e; d++) out[d] = 0;
      const float inv = 1.0f / total;
      for (int64_t j = 0; j <= t; j++) {
        const float w = scores[j] * inv;
        const float* v = values + base + j * e;
        for (int64_t d = 0; d < e; d++) out[d] += w * v[d];
      }
    }
  }
}

}  // namespace

StepLayout step_layout(const GptConfig& c) {
  StepLayout s{};
  int64_t f = 0, bytes = 0, entries = 0;
  s.tok = f;
  f += c.V * c.D;
  s.pos = f;
  f += c.L * c.D;
  const int64_t D = c.D, F = c.F;
  const int64_t dims[4][2] = {{D, 3 * D}, {D, D}, {D, F}, {F, D}};
  for (int64_t i = 0; i < c.layers; i++) {
    std::array<int64_t, 4> n{f, f + D, 0, 0};
    f += 2 * D;
    for (const auto& d : dims) {
      s.matrices.push_back({d[0], d[1], f, -1, 0, 0});
      f += d[1];
    }
    n[2] = f;
    n[3] = f + D;
    f += 2 * D;
    s.norms.push_back(n);
  }
  s.finalGamma = f;
  s.finalBeta = f + D;
  f += 2 * D;
  s.matrices.push_back({D, c.V, -1, -1, 0, 0});
  for (MatrixAt& m : s.matrices) {
    if (c.bits == 32) {
      m.kernel = f;
      f += m.K * m.N;
      continue;
    }
    const int64_t n16 = (m.N + kBlock - 1) / kBlock * kBlock;
    const int64_t groups = c.bits == 8 ? 1 : (m.K + c.G - 1) / c.G;
    const int64_t Kp = c.bits == 8 ? (m.K + 3) / 4 * 4 : groups * c.G;
    m.bytes = bytes;
    bytes += n16 * (c.bits == 8 ? Kp : Kp / 2);
    m.entry = entries;
    entries += n16 * groups;
  }
  s.floats = f;
  s.bytes = bytes;
  s.entries = entries;
  s.kv = c.layers * 2 * c.L * c.D;  // times B
  return s;
}

void decode_step(const StepArgs& a) {
  const GptConfig& c = a.c;
  const StepLayout& s = *a.layout;
  const int64_t D = c.D, M = a.B * a.T;
  const Kernels kern = kernels_for(isa().name);
  thread_local std::vector<float> h, x, qkv, att, o, ff, scores, xs;
  thread_local std::vector<int8_t> xq;
  h.resize(scratch_elements("gptDecodeStep h", {M, D}));
  x.resize(h.size());
  att.resize(h.size());
  o.resize(h.size());
  qkv.resize(scratch_elements("gptDecodeStep qkv", {M, 3, D}));
  ff.resize(scratch_elements("gptDecodeStep ffn", {M, c.F}));
  for (int64_t r = 0; r < M; r++) {
    const float* tok = a.floats + s.tok + a.tokens[r] * D;
    const float* pos = a.floats + s.pos + (a.past + r % a.T) * D;
    for (int64_t d = 0; d < D; d++) h[r * D + d] = tok[d] + pos[d];
  }
  for (int64_t i = 0; i < c.layers; i++) {
    const auto& n = s.norms[i];
    const MatrixAt* m = &s.matrices[i * 4];
    layer_norm(h.data(), x.data(), M, D, a.floats + n[0], a.floats + n[1], c.eps);
    product(a, kern, m[0], x.data(), M, qkv.data(), xq, xs);
    attention(a, i, qkv.data(), att.data(), scores);
    product(a, kern, m[1], att.data(), M, o.data(), xq, xs);
    for (int64_t k = 0; k < M * D; k++) h[k] += o[k];
    layer_norm(h.data(), x.data(), M, D, a.floats + n[2], a.floats + n[3], c.eps);
    product(a, kern, m[2], x.data(), M, ff.data(), xq, xs);
    if (c.relu)
      for (float& v : ff) v = v > 0 ? v : 0;
    else
      kern.gelu(ff.data(), static_cast<int64_t>(ff.size()));
    product(a, kern, m[3], ff.data(), M, o.data(), xq, xs);
    for (int64_t k = 0; k < M * D; k++) h[k] += o[k];
  }
  layer_norm(h.data(), x.data(), M, D, a.floats + s.finalGamma, a.floats + s.finalBeta, c.eps);
  product(a, kern, s.matrices.back(), x.data(), M, a.logits, xq, xs);
}

}  // namespace woq
}  // namespace keel
