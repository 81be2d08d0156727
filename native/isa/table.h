// Included last by each isa/*.cc: instantiates every kernel template for this ISA (namespace
// keel::KEEL_ISA, micro-tile KEEL_GEMM_MR x KEEL_GEMM_NV vectors) and exports its table as
// keel::isa_<name>().
#pragma once
#include "../dispatch.h"
#include "../gemm/micro.h"

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
  static const Isa table = {
      KEEL_STR(KEEL_ISA),
      {KEEL_GEMM_MR, KEEL_GEMM_NV * KEEL_ISA::W, KEEL_ISA::pack_a, KEEL_ISA::pack_b,
       KEEL_ISA::gemm_micro<KEEL_GEMM_MR, KEEL_GEMM_NV>},
      KEEL_ISA::unary,
      KEEL_ISA::binary,
      KEEL_ISA::reduce,
  };
  return &table;
}

}  // namespace keel
