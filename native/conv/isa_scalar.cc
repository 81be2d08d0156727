// The convolution-area kernels for scalar (see fused_kernels.h).
#include "../vec/scalar.h"

#define KEEL_ISA scalar
#include "fused_kernels.h"
