// One decoding step of a GPT (issue 12) in one native call: the whole decoder stack for the rows
// of one step, weights float32, int8 or int4 (the packed layout of kernels.h), the key/value cache
// updated in place. The TypeScript fused loop (src/compress/weight-only/decoder.ts) is its
// reference; src/compress/weight-only/native-step.ts packs the arrays and checks every argument.
// Layouts (every size computed by decode_napi.cc from the configuration and checked exactly):
//   floats: tok [V, D], pos [L, D]; per layer: attention norm gamma, beta [D], the biases of
//           qkv [3D], attention output [D], ffn [F] and [D], then ffn norm gamma, beta [D];
//           final norm gamma, beta [D]; bits 32 only, then the kernels [K, N] row-major: per
//           layer qkv [D, 3D], attention output [D, D], ffn [D, F] and [F, D]; the head [D, V].
//   bytes, scales, colsum (bits 8 and 4; empty for 32): the packed matrices in the same order
//           (per layer qkv, attention output, ffn intermediate, ffn output; then the head).
//   kv:     [layers, 2 (keys, values), B, H, L, D / H].
#pragma once
#include <array>
#include <cstdint>
#include <vector>

namespace keel {
namespace woq {

/** The GPT's sizes and the weight format. */
struct GptConfig {
  int64_t V, L, layers, H, D, F;
  int bits;     // 32, 8 or 4
  int64_t G;    // int4 group size (multiple of 8)
  bool relu;    // false: GELU, tanh form
  float eps;    // layer norm epsilon
};

/** Where one matrix [K, N] lies: its bias and (bits 32) kernel in floats, its packed parts. */
struct MatrixAt {
  int64_t K, N;
  int64_t bias;    // offset in floats, -1: no bias (the head)
  int64_t kernel;  // offset in floats (bits 32)
  int64_t bytes;   // offset in bytes (bits 8 / 4)
  int64_t entry;   // offset in scales and colsum (bits 8 / 4)
};

/** Offsets of every part in the arrays of the layout above, and the arrays' lengths. */
struct StepLayout {
  int64_t tok, pos, finalGamma, finalBeta;
  // Per layer: attention norm gamma, beta; ffn norm gamma, beta.
  std::vector<std::array<int64_t, 4>> norms;
  std::vector<MatrixAt> matrices;  // 4 per layer, then the head
  int64_t floats, bytes, entries, kv;
};

/** The layout of a configuration (sizes assumed checked: every product below 2^53). */
StepLayout step_layout(const GptConfig& c);

/** The step's operands. */
struct StepArgs {
  GptConfig c;
  const StepLayout* layout;
  const float* floats;
  const uint8_t* bytes;
  const float* scales;
  const int32_t* colsum;
  float* kv;
  const int32_t* tokens;  // [B, T], each in [0, V)
  int64_t B, T, past;     // past + T <= L
  float* logits;          // [B, T, V]
};

/** Runs the step: the logits of the B · T rows; their keys and values go to positions past... */
void decode_step(const StepArgs& a);

}  // namespace woq
}  // namespace keel
