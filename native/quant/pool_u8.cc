// Max pooling of uint8 NHWC data (issue 12): the integer path's pooling, exact because the
// dequantization is monotonic. Channels 16 at a time with SSE2's pmaxub (the x86-64 baseline).
#include <algorithm>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "../threadpool.h"
#include "qgemm.h"

namespace keel {

void max_pool2d_u8(const uint8_t* x, uint8_t* y, const Pool2DGeom& a) {
  const int64_t C = a.channels, rows = a.batch * a.outH;
  const int64_t grain = std::max<int64_t>(1, (1 << 16) / std::max<int64_t>(1, a.outW * C));
  parallel_for_dynamic(rows, grain, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const int64_t b = r / a.outH, oh = r % a.outH;
      const int64_t h0 = std::max<int64_t>(0, oh * a.strideH - a.padTop);
      const int64_t h1 = std::min(a.inH, oh * a.strideH - a.padTop + a.poolH);
      for (int64_t ow = 0; ow < a.outW; ow++) {
        const int64_t w0 = std::max<int64_t>(0, ow * a.strideW - a.padLeft);
        const int64_t w1 = std::min(a.inW, ow * a.strideW - a.padLeft + a.poolW);
        uint8_t* out = y + (r * a.outW + ow) * C;
        const uint8_t* corner = x + ((b * a.inH + h0) * a.inW + w0) * C;
        const int64_t row = a.inW * C;
        // Padding never wins: a window starts from 0, the least uint8.
        int64_t c = 0;
#if defined(__SSE2__)
        if (h1 - h0 == 2 && w1 - w0 == 2) {  // the common 2x2 window, without loops
          const uint8_t *p0 = corner, *p1 = corner + C, *p2 = corner + row, *p3 = p2 + C;
          const auto at = [&](const uint8_t* p) {
            return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + c));
          };
          for (; c + 16 <= C; c += 16)
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out + c),
                             _mm_max_epu8(_mm_max_epu8(at(p0), at(p1)), _mm_max_epu8(at(p2), at(p3))));
        }
        for (; c + 16 <= C; c += 16) {
          __m128i m = _mm_setzero_si128();
          for (int64_t ih = h0; ih < h1; ih++)
            for (int64_t iw = w0; iw < w1; iw++)
              m = _mm_max_epu8(m, _mm_loadu_si128(reinterpret_cast<const __m128i*>(
                                      corner + (ih - h0) * row + (iw - w0) * C + c)));
          _mm_storeu_si128(reinterpret_cast<__m128i*>(out + c), m);
        }
#endif
        for (; c < C; c++) {
          uint8_t m = 0;
          for (int64_t ih = h0; ih < h1; ih++)
            for (int64_t iw = w0; iw < w1; iw++)
              m = std::max(m, corner[(ih - h0) * row + (iw - w0) * C + c]);
          out[c] = m;
        }
      }
    }
  });
}

}  // namespace keel
