// The convolution-area kernels for avx512 (see fused_kernels.h).
#include "../vec/avx512.h"

#define KEEL_ISA avx512
#include "fused_kernels.h"
