// AVX2 + FMA recurrent cells (compiled in binding.gyp target keel_avx2).
#include "../vec/avx2.h"

#define KEEL_ISA avx2
#include "cells.h"
