// The convolution-area kernels for avx2 (see fused_kernels.h).
#include "../vec/avx2.h"

#define KEEL_ISA avx2
#include "fused_kernels.h"
