// Portable one-lane recurrent cells.
#include "../vec/scalar.h"

#define KEEL_ISA scalar
#include "cells.h"
