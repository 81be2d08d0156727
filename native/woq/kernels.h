// Weight-only quantized matrix-vector products for GPT-style decoding (issue 12): y [M, N] =
// x [M, K] · W [K, N] + bias with W int8 per output channel or int4 per group of k, and each row
// of x quantized to int8 on the fly (symmetric, max |x| / 127), so the products are integer dot
// products. The layout (src/compress/weight-only/pack.ts writes it, woq_napi.cc checks sizes):
//   outputs in blocks of 16; int8: bytes [N16][Kp/4][16][4] (Kp = K rounded up to 4), scales [N16·16],
//   colsum [N16·16] (Σ_k w, for the unsigned offset of vpdpbusd);
//   int4: bytes [N16][Kp/8][16][4] (Kp = groups · G), the low nibble k = 8s + q, the high one
//   k = 8s + 4 + q, each w + 8; scales and colsum [N16][groups][16].
#pragma once
#include <cstdint>

namespace keel {
namespace woq {

constexpr int kBlock = 16;

/** One call's operands; xq holds the quantized rows (int8, Kp per row, zero past K). */
struct Problem {
  const int8_t* xq;
  const float* xscale;  // [M]
  const uint8_t* w;
  const float* scale;
  const int32_t* colsum;
  const float* bias;  // [N] or null
  float* y;           // [M, N]
  int64_t M, K, N, Kp, groups, G;
  int bits;
};

/** Computes rows × output blocks [begin, end) (item = row · blocks + block). */
using BlocksFn = void (*)(const Problem&, int64_t begin, int64_t end);

/**
 * One row x [K] as int8 codes q [Kp] (zero past K) and its scale max |x| / 127 (0 for a row of
 * zeros), each quotient rounded half to even in float32: the TypeScript reference's rule.
 */
void quantize_row(const float* x, int64_t K, int64_t Kp, int8_t* q, float* scale);

/** The kernel for an ISA name (keel::isa().name): vnni512, vnni256, avx2 or portable. */
BlocksFn blocks_for(const char* isa_name);
const char* path_for(const char* isa_name);

}  // namespace woq
}  // namespace keel
