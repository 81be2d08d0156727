// AVX-512F kernels, compiled with -mavx512f (binding.gyp target keel_avx512).
#include "../vec/avx512.h"

#define KEEL_ISA avx512
#define KEEL_GEMM_MR 12
#define KEEL_GEMM_NV 2
#define KEEL_QUANT_MADD16  // int8 GEMM: vpmaddwd on ymm (AVX-512F alone has no zmm vpmaddwd)
#include "table.h"
