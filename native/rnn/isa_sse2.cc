// SSE2 recurrent cells.
#include "../vec/sse2.h"

#define KEEL_ISA sse2
#include "cells.h"
