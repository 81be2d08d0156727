// The int32 and float32 epilogues (Prepared::row), alone in their file: the dequantization
// must round after the multiply and again after the add, as the reference does, so this file
// turns off floating-point contraction (GCC contracts across statements by default where the
// target has FMA, e.g. arm64), and a pragma that changes optimization options must not reach
// the drivers (GCC then stops inlining across functions it does not share with them).
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "driver.h"

namespace keel {
namespace qdetail {

void Prepared::row(const int32_t* raw, int64_t i, int64_t j0, int cols) const {
  for (int c = 0; c < cols; c++) {
    const int64_t j = j0 + c;
    const int32_t v =
        static_cast<int32_t>(static_cast<uint32_t>(raw[c]) + static_cast<uint32_t>(corr[j]));
    if (a.raw) {
      a.y32[i * a.N + j] = v;
      continue;
    }
    const float p = static_cast<float>(v) * scale[j];
    const float r = a.fbias ? p + a.fbias[j] : p;
    a.yf[i * a.N + j] = a.relu ? (r > 0.0f ? r : 0.0f) : r;
  }
}

}  // namespace qdetail
}  // namespace keel
