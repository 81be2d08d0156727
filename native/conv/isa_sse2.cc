// The convolution-area kernels for sse2 (see fused_kernels.h).
#include "../vec/sse2.h"

#define KEEL_ISA sse2
#include "fused_kernels.h"
