// Included last by each isa/<name>.cc, after its vec header and KEEL_ISA (its namespace, keel::
// KEEL_ISA) and micro-tile (KEEL_GEMM_MR x KEEL_GEMM_NV vectors): instantiates every kernel
// template for this ISA and exports its table as keel::isa_<name>(), which dispatch.cc lists.
// A new kernel family is one more header here and one more member of Isa (dispatch.h).
#pragma once
#include "../conv/fused_kernels.h"
#include "../dispatch.h"
#include "../elementwise/kernels.h"
#include "../gemm/micro.h"
#include "../quant/kernels.h"
#include "../rnn/cells.h"

#define KEEL_CAT2(a, b) a##b
#define KEEL_CAT(a, b) KEEL_CAT2(a, b)
#define KEEL_STR2(a) #a
#define KEEL_STR(a) KEEL_STR2(a)

namespace keel {
namespace KEEL_ISA {

static void pack_a(const float* src, int64_t rs, int64_t cs, int rows, int kc, float* dst) {
  gemm_pack<KEEL_GEMM_MR>(src, rs, cs, rows, kc, dst);
}
static void pack_b(const float* src, int64_t rs, int64_t cs, int cols, int kc, float* dst) {
  // Columns of op(B) are packed like rows of A: "row" j has stride cs, k has stride rs.
  gemm_pack<KEEL_GEMM_NV * W>(src, cs, rs, cols, kc, dst);
}

}  // namespace KEEL_ISA

const Isa* KEEL_CAT(isa_, KEEL_ISA)() {
  namespace k = KEEL_ISA;
  static const Isa table = {
      KEEL_STR(KEEL_ISA),
      {KEEL_GEMM_MR, KEEL_GEMM_NV * k::W, k::pack_a, k::pack_b,
       k::gemm_micro<KEEL_GEMM_MR, KEEL_GEMM_NV>},
      {k::unary, k::binary, k::reduce},
      {k::conv::conv_direct, k::conv::filter_grad_direct, k::conv::bias_act, k::conv::act_grad,
       k::conv::max_pool_rows, k::conv::max_pool_backward_images, k::conv::dense_rows},
      {k::rnn::lstm_fwd, k::rnn::lstm_bwd, k::rnn::gru_fwd, k::rnn::gru_bwd, k::rnn::simple_fwd,
       k::rnn::simple_bwd},
      KEEL_QUANT_TABLE(k),
  };
  return &table;
}

}  // namespace keel
