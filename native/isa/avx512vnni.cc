// AVX-512 VNNI (Cascade Lake, Ice Lake, Zen 4 and later), compiled with -mavx512f -mavx512bw
// -mavx512vl -mavx512vnni (binding.gyp target keel_avx512vnni). VNNI adds integer dot products
// only, so this table is the avx512 one with the int8 GEMM on vpdpbusd: every float kernel is
// the very same code as on avx512, and its results cannot differ.
#include "../dispatch.h"

#define KEEL_ISA avx512vnni
#define KEEL_QUANT_VNNI
#include "../quant/kernels.h"

namespace keel {

const Isa* isa_avx512();

const Isa* isa_avx512vnni() {
  static const Isa table = [] {
    Isa t = *isa_avx512();
    t.name = "avx512vnni";
    t.quant = KEEL_QUANT_TABLE(avx512vnni);
    return t;
  }();
  return &table;
}

}  // namespace keel
