// Integer GEMM (issue 12): uint8/int8 activations x int8 weights, int32 accumulators, and the
// fused requantize epilogue. The exact semantics are the TypeScript reference's
// (src/backends/ts/kernels/quantized-matmul.ts); every ISA and thread count gives the same bits.
#pragma once
#include <cstddef>
#include <cstdint>

#include "../conv/window.h"

namespace keel {

/**
 * Where a micro-kernel reads its mr rows of x: row r's segment s starts at rows[r] + offsets[s]
 * (s < segments), and its group g at that + g·stride, g < groups. A packed panel is one segment
 * with stride mr·kg·elem; x read in place (a `direct` ISA, uint8 only) has stride kg and one
 * segment per run of contiguous taps (a convolution's filter rows: offsets in the image).
 */
struct QTileSource {
  const uint8_t* const* rows;
  const int64_t* offsets;
  int segments;
  int64_t groups;  // per segment
  int64_t stride;  // bytes from one group to the next
};

/**
 * What a micro-kernel does with its mr x nr tile, whose sums start from corr[j] for j < cols
 * (null: from 0). With y8 null they are stored into tile. Else output q < n_out is the maximum
 * of rows [q·pool, q·pool + pool) (pool 1: row q), requantized as QuantizedMatMulAttrs:
 * y = clamp(nearbyint(clamp(f32(f32(acc) * scale[j]), lo, hi)) + yz), into the bytes at
 * y8 + q·ldy, columns j < cols (uint8 or int8 alike). Pooling before requantizing is exact only
 * when every scale is positive (requantization is then non-decreasing).
 */
struct QTileOut {
  int32_t* tile;
  uint8_t* y8;
  int64_t ldy;
  const int32_t* corr;  // [cols]: bias[j] - zero·colsum[j], wrapping
  const float* scale;   // [cols]
  float lo, hi;         // the clamp bounds before adding yz
  int32_t yz;
  int pool;   // rows per output (1, or a pooling window's pixels)
  int n_out;  // outputs to store
  int cols;   // columns of the tile that exist (<= nr)
};

/**
 * One ISA's integer GEMM building blocks (quant/kernels.h, isa().quant). k runs over segments of
 * L contiguous k each (a convolution's filter rows, or all of K), each padded with zero weights
 * to a multiple of kg; a packed element takes `elem` bytes. Activations arrive as uint8 (int8
 * activations are flipped to uint8 by pack_x with flip = 0x80).
 */
struct QuantIsa {
  int mr;       // rows of the micro-tile
  int nr;       // columns of the micro-tile
  int kg;       // k steps the micro-kernel consumes at once (1 scalar, 2 vpmaddwd, 4 vpdpbusd)
  int elem;     // bytes per packed element
  bool direct;  // the micro-kernel reads uint8 bytes as they are (so x needs no packing)
  // Packs rows [0, rows) into one mr-row panel from S segments of L bytes each (src[s*mr + r],
  // bytes XOR flip); k past L in each segment and rows past `rows` are zero.
  void (*pack_x)(int S, int64_t L, const uint8_t* const* src, int rows, uint8_t flip, void* dst);
  // Packs columns [0, cols) of w (row stride ldw, S·L rows) into one nr-column panel.
  void (*pack_w)(const int8_t* w, int64_t ldw, int cols, int S, int64_t L, void* dst);
  // The mr x nr tile of x (read through src) @ the w panel, int32 wrapping, into out.
  void (*micro)(const QTileSource& src, const void* wp, const QTileOut& out);
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
 * y8 = uint8 max pooling (pool) of the requantized convolution a (a.conv set, a.y8 uint8): the
 * windows' pixels are computed together and their int32 sums pooled before one requantization,
 * so the convolution's output is never stored. Equal, bit for bit, to qgemm then max_pool2d_u8.
 */
void qconv_max_pool(const QGemmArgs& a, const Pool2DGeom& pool);

/**
 * The segment length of the k axis of a product: for a convolution, one filter row (filterW·inC
 * contiguous bytes of an NHWC image, or inC with a dilated width), else all of K.
 */
int64_t qsegment(const Conv2DGeom* conv, int64_t K);

/**
 * Weights packed once (for a layer's every call): a header (magic, mr, nr, kg, elem, K, N, L),
 * the column sums [N] and the nr-column panels of the active ISA, with k in segments of L
 * (qsegment). qpacked_bytes gives the size; qpacked_fits says whether a buffer was packed for
 * this ISA, shape and segment length (else qgemm packs again).
 */
int64_t qpacked_bytes(int64_t K, int64_t N, int64_t L);
void qpack_weights(const int8_t* w, int64_t K, int64_t N, int64_t L, uint8_t* dst);
bool qpacked_fits(const uint8_t* p, int64_t bytes, int64_t K, int64_t N, int64_t L);
/** The column sums [N] and the first nr-column panel of a packing. */
const int32_t* qpacked_colsum(const uint8_t* packed);
const uint8_t* qpacked_panels(const uint8_t* packed, int64_t N);

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
