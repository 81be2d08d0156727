// AVX-VNNI (Alder Lake, Sapphire Rapids, Zen 5 and later: the VEX-encoded vpdpbusd on ymm),
// compiled with -mavx2 -mfma -mavxvnni (binding.gyp target keel_avxvnni). Like avx512vnni, it
// adds integer dot products only: this table is the avx2 one with the int8 GEMM on vpdpbusd, so
// every float kernel is the very same code as on avx2.
#include "../dispatch.h"

#define KEEL_ISA avxvnni
#define KEEL_QUANT_AVXVNNI
#include "../quant/kernels.h"

namespace keel {

const Isa* isa_avx2();

const Isa* isa_avxvnni() {
  static const Isa table = [] {
    Isa t = *isa_avx2();
    t.name = "avxvnni";
    t.quant = KEEL_QUANT_TABLE(avxvnni);
    return t;
  }();
  return &table;
}

}  // namespace keel
