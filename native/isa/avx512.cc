// AVX-512F kernels, compiled with -mavx512f (binding.gyp target keel_avx512).
#include "../vec/avx512.h"

#define KEEL_ISA avx512
#define KEEL_GEMM_MR 12
#define KEEL_GEMM_NV 2
#include "table.h"
