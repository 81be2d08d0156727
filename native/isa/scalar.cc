// Portable one-lane kernels: the fallback everywhere and the baseline off x86.
#include "../vec/scalar.h"

#define KEEL_ISA scalar
#define KEEL_GEMM_MR 4
#define KEEL_GEMM_NV 4
#include "table.h"
