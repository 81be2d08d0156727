// Internal to native/quant: what the integer GEMM (qgemm.cc) and the fused convolution + max
// pooling (conv_pool.cc) share: the per-call preparation (packed weights, the zero-point and bias
// corrections, the requantization scales and bounds), the row pointers of a panel (rows of x or
// windows of an image, gathered where they reach into the padding) and a thread's buffers.
#pragma once
#include <cstdint>
#include <vector>

#include "qgemm.h"

namespace keel {
namespace qdetail {

// Below this many multiply-adds per thread, more threads cost more than they save.
constexpr int64_t kWorkPerThread = 64 * 64 * 64;

/**
 * Chunks for parallel_for_dynamic over n units where `grain` units are worth a thread: about
 * eight per thread, so late or slow threads are covered by the others, and each chunk sets up
 * its own workspace only a few times.
 */
int64_t dynamic_grain(int64_t n, int64_t grain);

/** The k axis in segments: S segments of L k each, G groups of kg per segment. */
struct Segments {
  int64_t S, L, G;
  int64_t groups() const { return S * G; }
};

/** The segments of K in runs of L for the active ISA's k group (none when K is 0). */
Segments segments_of(int64_t K, int64_t L);

/** What one call prepares before its tiles: the packed weights and each column's epilogue. */
struct Prepared {
  explicit Prepared(const QGemmArgs& a);
  Prepared(const Prepared&) = delete;

  const QGemmArgs& a;
  Segments sg;
  std::vector<uint8_t> own;  // the weights packed for this call, when the caller's do not fit
  const uint8_t* wp;         // the nr-column panels
  int64_t wpanel;            // bytes per panel
  std::vector<int32_t> corr;  // bias[j] - zero·colsum[j], wrapping
  std::vector<float> scale;   // [N]
  float lo, hi;               // the requantization's clamp bounds before adding y_zero

  /** int32 or float32 y[i, j0..j0+cols) from the raw sums of one tile row (the reference's). */
  void row(const int32_t* raw, int64_t i, int64_t j0, int cols) const;
  /** The tile output that requantizes into y8 + at (row stride N) at columns [j0, j0 + cols). */
  QTileOut requantized(int64_t at, int64_t j0, int pool, int n_out, int cols) const;
};

/**
 * One thread's buffers and the rows of the panel it works on: row r starts at rows[r]; its
 * segment s is at rows[r] + seg_off[s] (x or the image, read in place), or, for a row gathered
 * into buf (own[r]: a window reaching into the padding, a read that would run past the end of
 * x, a row past M), at rows[r] + s·seg_bytes.
 */
struct Workspace {
  Workspace(const Prepared& p, int64_t seg_bytes);

  /** Marks row r as gathered at `at` (segment s at at + s·seg_bytes). */
  void gathered(int r, const uint8_t* at) {
    rows[r] = at;
    own[r] = 1;
    any_own = true;
  }

  const Prepared& p;
  bool direct;  // the ISA reads uint8 x in place (int8 x is flipped by packing)
  std::vector<int32_t> tile;
  std::vector<uint8_t> xp, buf, zeros;
  std::vector<const uint8_t*> rows, segptrs, prow;
  std::vector<uint8_t> own;
  bool any_own = false;
};

/**
 * Where the rows of a panel are: the rows of x, or the windows of a convolution's output pixels
 * in the image (segment s of a window at seg_off[s] from its first tap), gathered where they
 * cannot be read in place, the padding reading the zero point.
 */
class PanelRows {
 public:
  PanelRows(const QGemmArgs& a, Segments sg, int mr, int kg, bool direct);

  /** Rows [i0, i0 + rows) of the product; rows past `rows` repeat row 0. */
  void fill(int64_t i0, int rows, Workspace& w) const;
  /**
   * Rows o·ph·pw + dy·pw + dx for o < per: the convolution pixels (oh0 + dy, ow0 + min(o, n - 1)
   * ·stride_w + dx) of `per` pooling windows (ph x pw) side by side, rows past per·ph·pw repeating
   * row 0; only when every one of their windows lies inside the image (false: nothing written).
   */
  bool fill_pool_windows(int64_t b, int64_t oh0, int64_t ow0, int n, int per, int64_t ph,
                         int64_t pw, int64_t stride_w, Workspace& w) const;
  /** Row r: the window of output pixel (b, oh, ow) of the convolution. */
  void fill_pixel(int r, int64_t b, int64_t oh, int64_t ow, Workspace& w) const;
  /** Row r repeats row `from`. */
  static void repeat(int r, int from, Workspace& w);

  /** The micro-kernel's view of the filled panel: in place, or packed (XOR flip) first. */
  QTileSource source(int rows, Workspace& w) const;

  int64_t seg_bytes;  // what a direct read of one segment covers: G·kg bytes

 private:
  void fill_rows(int64_t i0, int rows, Workspace& w) const;
  void fill_conv(int64_t i0, int rows, Workspace& w) const;
  /** The window of one output pixel, segment by segment (seg_bytes each, zero tails). */
  void gather(int64_t b, int64_t h0, int64_t w0, uint8_t* dst) const;
  /** Whether the window at image offset `base` (and `extra` bytes on) may be read in place. */
  bool readable(int64_t base, int64_t extra) const {
    return !direct || base + extra + seg_off.back() + seg_bytes <= x_bytes;
  }

  const QGemmArgs& a;
  Segments sg;
  int mr;
  int64_t x_bytes;  // the bytes of x
  bool direct;      // the micro-kernel reads these pointers in place
  uint8_t pad;
  std::vector<int64_t> seg_off;  // each segment's offset from the first tap (one 0 for a GEMM)
  int64_t zero_offset = 0;
};

}  // namespace qdetail
}  // namespace keel
