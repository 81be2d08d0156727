// AVX-512F recurrent cells (compiled in binding.gyp target keel_avx512).
#include "../vec/avx512.h"

#define KEEL_ISA avx512
#include "cells.h"
