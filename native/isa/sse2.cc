// SSE2 kernels: the baseline of every x86-64 CPU.
#include "../vec/sse2.h"

#define KEEL_ISA sse2
#define KEEL_GEMM_MR 6
#define KEEL_GEMM_NV 2
#include "table.h"
