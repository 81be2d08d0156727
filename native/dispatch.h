// The table of per-ISA kernels and the choice among them at run time.
//
// Each isa/<name>.cc file is compiled with its own target flags and fills one Isa table with every
// kernel family (isa/table.h); dispatch.cc asks the CPU (and the OS, for AVX state) which tables
// it can run and picks the widest. Threading and blocking live outside these tables, in ISA-neutral
// code.
#pragma once
#include <cstdint>

#include "conv/fused.h"
#include "quant/qgemm.h"
#include "rnn/rnn.h"

namespace keel {

/** The GEMM building blocks of one instruction set (see gemm/gemm.cc for the blocking). */
struct GemmIsa {
  int mr;  // rows of the micro-kernel's C tile
  int nr;  // columns of the micro-kernel's C tile
  // Packs rows [0, rows) x k [0, kc) of op(A) (element (r, k) at src[r*rs + k*cs]) into mr-row
  // panels, k-major: dst[panel*mr*kc + k*mr + r]; rows past `rows` are zero.
  void (*pack_a)(const float* src, int64_t rs, int64_t cs, int rows, int kc, float* dst);
  // Packs columns [0, cols) x k [0, kc) of op(B) (element (k, j) at src[k*rs + j*cs]) into
  // nr-column panels: dst[panel*nr*kc + k*nr + j]; columns past `cols` are zero.
  void (*pack_b)(const float* src, int64_t rs, int64_t cs, int cols, int kc, float* dst);
  // C[0..mr_eff, 0..nr_eff] (+)= Ap panel @ Bp panel over kc steps; C has row stride ldc.
  void (*micro)(int kc, const float* ap, const float* bp, float* c, int64_t ldc, int mr_eff,
                int nr_eff, bool accumulate);
};

/** The elementwise and reduction kernels of one instruction set (elementwise/kernels.h). */
struct ElementwiseIsa {
  // y[i] = op(x[i]) for i < n (contiguous); op is a UnaryOp.
  void (*unary)(int op, const float* x, float* y, int64_t n, float alpha, float beta);
  // y[i] = a[i*sa] op b[i*sb] for i < n, sa and sb in {0, 1}; op is a BinaryOp.
  void (*binary)(int op, const float* a, int64_t sa, const float* b, int64_t sb, float* y,
                 int64_t n);
  // y [outer, inner] = op over R of x [outer, R, inner], for the columns [0, ni) of inner only;
  // op is a ReduceOp.
  void (*reduce)(int op, const float* x, float* y, int64_t outer, int64_t R, int64_t inner,
                 int64_t ni);
};

/** Every kernel family of one instruction set. */
struct Isa {
  const char* name;
  GemmIsa gemm;
  ElementwiseIsa elementwise;
  ConvIsa conv;  // conv/fused_kernels.h
  RnnIsa rnn;    // rnn/cells.h
  QuantIsa quant;  // quant/kernels.h
};

/** The instruction sets compiled into this build whose instructions this CPU can run. */
int supported_isas(const Isa** out, int max);
/** The table in use. */
const Isa& isa();
/** Switches to the named ISA if compiled in and supported; returns false otherwise. */
bool set_isa(const char* name);

}  // namespace keel
