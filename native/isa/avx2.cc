// AVX2 + FMA kernels, compiled with -mavx2 -mfma (binding.gyp target keel_avx2).
#include "../vec/avx2.h"

#define KEEL_ISA avx2
#define KEEL_GEMM_MR 6
#define KEEL_GEMM_NV 2
#define KEEL_QUANT_MADD16  // int8 GEMM: vpmaddwd on int16-widened operands
#include "table.h"
