// Integer GEMM (issue 12): uint8/int8 activations x int8 weights, int32 accumulators, and the
// fused requantize epilogue. The exact semantics are the TypeScript reference's
// (src/backends/ts/kernels/quantized-matmul.ts); every ISA and thread count gives the same bits.
#pragma once
#include <cstddef>
#include <cstdint>

#include "../conv/window.h"

namespace keel {

/**
 * One ISA's integer GEMM building blocks (quant/kernels.h, isa().quant). Packed k is padded with
 * zeros to a multiple of kg; a packed element takes `elem` bytes. Activations arrive as uint8
 * (int8 activations are flipped to uint8 by the caller's pack with flip = 0x80).
 */
struct QuantIsa {
  int mr;    // rows of the micro-tile
  int nr;    // columns of the micro-tile
  int kg;    // k steps the micro-kernel consumes at once (1 scalar, 2 vpmaddwd, 4 vpdpbusd)
  int elem;  // bytes per packed element
  // Packs rows [0, rows) of x (row stride ldx, bytes XOR flip) over k [0, K) into one mr-row
  // panel of kp = roundup(K, kg) steps; rows past `rows` and k past K are zero.
  void (*pack_x)(const uint8_t* x, int64_t ldx, uint8_t flip, int rows, int64_t K, void* dst);
  // Packs columns [0, cols) of w (row stride ldw) over k [0, K) into one nr-column panel.
  void (*pack_w)(const int8_t* w, int64_t ldw, int cols, int64_t K, void* dst);
  // tile[mr x nr] = x panel @ w panel over kp packed steps, int32 wrapping.
  void (*micro)(int64_t kp, const void* xp, const void* wp, int32_t* tile);
  // y[j] = clamp(nearbyint(clamp(f32(f32(raw[j] + corr[j]) * scale[j]), lo, hi)) + y_zero) for
  // j < n, as bytes (int8 when y_signed): the requantize epilogue of QuantizedMatMulAttrs.
  void (*requant)(const int32_t* raw, int n, const int32_t* corr, const float* scale, float lo,
                  float hi, int32_t y_zero, bool y_signed, uint8_t* y);
};

/** The arguments of qgemm; see the TypeScript contract (QuantizedMatMulAttrs) for the formula. */
struct QGemmArgs {
  int64_t M, N, K;
  const uint8_t* x;  // [M, K], uint8, or int8 bytes when x_signed; or the image when conv is set
  const Conv2DGeom* conv;  // when set, row i of x is the im2col row of output pixel i
  bool x_signed;
  int32_t x_zero;     // in x's own range
  const int8_t* w;    // [K, N]
  const uint8_t* wpacked;  // w packed by qpack_weights for the active ISA, or null
  const int32_t* bias;  // [N] or null
  bool raw;           // write the accumulators into y32, else requantize into y8 (or yf)
  int32_t* y32;       // [M, N] when raw
  float* yf;          // [M, N]: dequantize, f32(f32(acc) * scale[j]) + fbias[j], when not null
  const float* fbias;  // [N] or null (float32 output only; bias is then null)
  uint8_t* y8;        // [M, N] uint8 or int8 bytes (y_signed) when not raw
  bool y_signed;
  const float* scale;  // requantize: scale[j * scale_step]
  int64_t scale_step;  // 0 (per tensor) or 1 (per column)
  int32_t y_zero;
  bool relu;
};

/** y = the quantized product of a on the active ISA, on up to num_threads() threads. */
void qgemm(const QGemmArgs& a);

/**
 * Weights packed once (for a layer's every call): a header (magic, mr, nr, kg, elem, K, N), the
 * column sums [N] and the nr-column panels of the active ISA. qpacked_bytes gives the size;
 * qpacked_fits says whether a buffer was packed for this ISA and shape (else qgemm packs again).
 */
int64_t qpacked_bytes(int64_t K, int64_t N);
void qpack_weights(const int8_t* w, int64_t K, int64_t N, uint8_t* dst);
bool qpacked_fits(const uint8_t* p, int64_t bytes, int64_t K, int64_t N);

/** q = clamp(nearbyint(f32(x / scale)), -zero, 255 - zero) + zero (NaN to 0): QuantizeLinearAttrs. */
void quantize_linear(const float* x, int64_t n, float scale, int32_t zero, uint8_t* q);

/** Max pooling of uint8 NHWC data (the windows of max_pool2d; padding never wins). */
void max_pool2d_u8(const uint8_t* x, uint8_t* y, const Pool2DGeom& a);

/**
 * Per-tensor dynamic quantization of x[0, n) to uint8 (QuantizeUint8Attrs): params = [scale,
 * zeroPoint], or [NaN, NaN] (q untouched) when x holds NaN or an infinity.
 */
void quantize_uint8(const float* x, int64_t n, uint8_t* q, float* params);

}  // namespace keel
