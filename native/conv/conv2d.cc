// Convolution as im2col + GEMM, like the TypeScript kernels: output pixels are lowered chunk by
// chunk to rows of their receptive fields, [rows, filterH*filterW*inC], and multiplied by the
// filter seen as [filterH*filterW*inC, outC]. Lowering is threaded by rows, the GEMM by blocks.
// Small receptive fields (a 3x3 filter on 1 channel) go to the direct kernels of fused.cc instead.
#include <cstdlib>
#include <cstring>
#include <vector>

#include "../gemm/gemm.h"
#include "../scratch.h"
#include "../threadpool.h"
#include "fused.h"
#include "window.h"

namespace keel {
namespace {

// Floats one lowered chunk may hold (8 MiB).
constexpr int64_t kChunkFloats = int64_t{1} << 21;

int64_t chunk_rows(const Conv2DGeom& a) {
  const int64_t k = a.filterH * a.filterW * a.inC;
  const int64_t rows = kChunkFloats / (k > 0 ? k : 1);
  return rows < 64 ? 64 : rows;
}

bool is_pointwise(const Conv2DGeom& a) {
  return a.filterH == 1 && a.filterW == 1 && a.strideH == 1 && a.strideW == 1 && a.padTop == 0 &&
         a.padLeft == 0 && a.outH == a.inH && a.outW == a.inW;
}

/** Calls f(row r, (b, h0, w0)) for output pixel r: its image and the window's top-left corner. */
template <class Fn>
inline void for_pixel(const Conv2DGeom& a, int64_t r, Fn f) {
  const int64_t ow = r % a.outW;
  const int64_t t = r / a.outW;
  const int64_t oh = t % a.outH;
  const int64_t b = t / a.outH;
  f(b, oh * a.strideH - a.padTop, ow * a.strideW - a.padLeft);
}

/** Rows [r0, r0 + rows) of the lowered input into col (zeros where the window is padding). */
void im2col(const float* x, const Conv2DGeom& a, int64_t r0, int64_t rows, float* col) {
  const int64_t K = a.filterH * a.filterW * a.inC;
  parallel_for(rows, 256, [&](int64_t q0, int64_t q1) {
    for (int64_t q = q0; q < q1; q++) {
      float* p = col + q * K;
      for_pixel(a, r0 + q, [&](int64_t b, int64_t h0, int64_t w0) {
        for (int64_t i = 0; i < a.filterH; i++) {
          const int64_t ih = h0 + i * a.dilationH;
          const bool row_inside = ih >= 0 && ih < a.inH;
          for (int64_t j = 0; j < a.filterW; j++, p += a.inC) {
            const int64_t iw = w0 + j * a.dilationW;
            if (row_inside && iw >= 0 && iw < a.inW) {
              std::memcpy(p, x + ((b * a.inH + ih) * a.inW + iw) * a.inC, a.inC * sizeof(float));
            } else {
              std::memset(p, 0, a.inC * sizeof(float));
            }
          }
        }
      });
    }
  });
}

/** The adjoint of im2col: adds each row of col onto the input pixels it was read from. */
void col2im(const float* col, const Conv2DGeom& a, int64_t r0, int64_t rows, float* dx) {
  const int64_t K = a.filterH * a.filterW * a.inC;
  // Windows overlap, so this scatter stays on one thread.
  for (int64_t q = 0; q < rows; q++) {
    const float* p = col + q * K;
    for_pixel(a, r0 + q, [&](int64_t b, int64_t h0, int64_t w0) {
      for (int64_t i = 0; i < a.filterH; i++) {
        const int64_t ih = h0 + i * a.dilationH;
        const bool row_inside = ih >= 0 && ih < a.inH;
        for (int64_t j = 0; j < a.filterW; j++, p += a.inC) {
          const int64_t iw = w0 + j * a.dilationW;
          if (!row_inside || iw < 0 || iw >= a.inW) continue;
          float* d = dx + ((b * a.inH + ih) * a.inW + iw) * a.inC;
          for (int64_t c = 0; c < a.inC; c++) d[c] += p[c];
        }
      }
    });
  }
}

/** C (+)= op(A) @ op(B) on row-major operands with the given transposes, all threads. */
void gemm(int64_t M, int64_t N, int64_t K, const float* A, bool ta, const float* B, bool tb,
          float* C, bool accumulate) {
  GemmArgs g{M, N, K, A, ta ? 1 : K, ta ? M : 1, B, tb ? 1 : N, tb ? K : 1, C, N, accumulate};
  sgemm(g, num_threads());
}

}  // namespace

void conv2d_forward(const float* x, const float* filter, float* y, const Conv2DGeom& a) {
  const int64_t K = a.filterH * a.filterW * a.inC;
  const int64_t M = a.batch * a.outH * a.outW;
  if (M == 0 || a.outC == 0) return;
  if (is_pointwise(a)) return gemm(M, a.outC, K, x, false, filter, false, y, true);
  if (conv_is_direct(a)) return fused_conv2d(x, filter, nullptr, y, a, 0);
  const int64_t chunk = chunk_rows(a);
  std::vector<float> col(scratch_elements("conv2d im2col", {chunk < M ? chunk : M, K}));
  for (int64_t r0 = 0; r0 < M; r0 += chunk) {
    const int64_t rows = chunk < M - r0 ? chunk : M - r0;
    im2col(x, a, r0, rows, col.data());
    gemm(rows, a.outC, K, col.data(), false, filter, false, y + r0 * a.outC, true);
  }
}

void conv2d_backprop_input(const float* dy, const float* filter, float* dx, const Conv2DGeom& a) {
  const int64_t K = a.filterH * a.filterW * a.inC;
  const int64_t M = a.batch * a.outH * a.outW;
  if (M == 0 || K == 0 || a.outC == 0) return;  // dx arrives zero-filled
  if (is_pointwise(a)) return gemm(M, K, a.outC, dy, false, filter, true, dx, true);
  const int64_t chunk = chunk_rows(a);
  std::vector<float> col(scratch_elements("conv2d im2col", {chunk < M ? chunk : M, K}));
  for (int64_t r0 = 0; r0 < M; r0 += chunk) {
    const int64_t rows = chunk < M - r0 ? chunk : M - r0;
    gemm(rows, K, a.outC, dy + r0 * a.outC, false, filter, true, col.data(), false);
    col2im(col.data(), a, r0, rows, dx);
  }
}

void conv2d_backprop_filter(const float* x, const float* dy, float* dw, const Conv2DGeom& a) {
  const int64_t K = a.filterH * a.filterW * a.inC;
  const int64_t M = a.batch * a.outH * a.outW;
  if (K == 0 || a.outC == 0) return;
  if (is_pointwise(a)) return gemm(K, a.outC, M, x, true, dy, false, dw, true);
  if (conv_is_direct(a)) return conv2d_backprop_filter_direct(x, dy, dw, a);
  const int64_t chunk = chunk_rows(a);
  std::vector<float> col(scratch_elements("conv2d im2col", {chunk < M ? chunk : M, K}));
  for (int64_t r0 = 0; r0 < M; r0 += chunk) {
    const int64_t rows = chunk < M - r0 ? chunk : M - r0;
    im2col(x, a, r0, rows, col.data());
    gemm(K, a.outC, rows, col.data(), true, dy + r0 * a.outC, false, dw, true);
  }
}

}  // namespace keel
