// The GotoBLAS/BLIS loop nest around the per-ISA micro-kernel:
//
//   for jc (NC columns of B)           B block kc x nc, packed (L3)
//     for pc (KC of the k dimension)
//       for ic (MC rows of A)          A block mc x kc, packed (L2)
//         for jr (NR columns)          one B micro-panel kc x nr (L1)
//           for ir (MR rows)           micro-kernel: MR x NR tile of C in registers
//
// Threads share the packed B: for each (jc, pc) step they pack the kc x nc block of B together,
// then take MC-row blocks of A as they come, each packing its own A block into its own buffer
// (the ic loop is the parallel one, as in BLIS). Each operand is packed once in all. The threads
// never meet at a barrier: a thread waits only for work that another has claimed and not yet
// finished: B panels before it uses them, the same A block of the previous k step before it adds
// into those rows of C, and (B is double-buffered) all of step s's A blocks before it packs step
// s + 2 over them. A thread that starts late or is descheduled between blocks holds no one up.
//
// Products with too few rows for that split (fewer than 4 micro-tiles per thread) cut C into a
// grid of blocks instead, each thread running the whole nest on its own blocks with its own
// packing buffers.
#include "gemm.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <thread>
#ifdef _WIN32
#include <malloc.h>
#endif

#include "../dispatch.h"
#include "../threadpool.h"

namespace keel {
namespace {

// Blocking, measured on Zen (32 KiB L1d, 512 KiB L2 per core) against OpenBLAS side by side: a
// kc x nr B micro-panel (32 KiB) streams through L1, an mc x kc A block (192 KiB) stays in L2,
// the kc x nc B block (8 MiB) in L3. kc 512 / mc 96 beat the BLIS Haswell values (256 / 168) by
// about 10% at n = 1024 on 2 threads.
#ifndef KEEL_GEMM_KC
#define KEEL_GEMM_KC 512
#endif
#ifndef KEEL_GEMM_MC
#define KEEL_GEMM_MC 96
#endif
#ifndef KEEL_GEMM_NC
#define KEEL_GEMM_NC 4080
#endif
#ifndef KEEL_GEMM_MINB
#define KEEL_GEMM_MINB 2
#endif
constexpr int64_t KC = KEEL_GEMM_KC;
constexpr int64_t MC_TARGET = KEEL_GEMM_MC;
constexpr int64_t NC_TARGET = KEEL_GEMM_NC;
// Below this many multiply-adds a GEMM runs on one thread: waking the pool would cost more.
constexpr int64_t kParallelWork = 64 * 64 * 64;

/** A 64-byte aligned, grow-only scratch buffer. */
struct Buffer {
  float* p = nullptr;
  size_t n = 0;
  float* get(size_t want) {
    if (want > n) {
      release();
      size_t bytes = (want * sizeof(float) + 63) / 64 * 64;
#ifdef _WIN32
      p = static_cast<float*>(_aligned_malloc(bytes, 64));
#else
      p = static_cast<float*>(std::aligned_alloc(64, bytes));
#endif
      n = p ? want : 0;
    }
    return p;
  }
  void release() {
#ifdef _WIN32
    _aligned_free(p);
#else
    std::free(p);
#endif
    p = nullptr;
    n = 0;
  }
  ~Buffer() { release(); }
};

thread_local Buffer tls_a;
thread_local Buffer tls_b;

inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

/** The loop nest on one thread, with this thread's packing buffers. */
void gemm_block(const GemmArgs& g, const GemmIsa& k) {
  const int64_t mr = k.mr, nr = k.nr;
  const int64_t mc_max = ceil_div(MC_TARGET, mr) * mr;
  const int64_t nc_max = min64(NC_TARGET, ceil_div(g.N, nr) * nr);
  float* ap = tls_a.get(static_cast<size_t>(mc_max * KC));
  float* bp = tls_b.get(static_cast<size_t>(nc_max * KC));
  if (!ap || !bp) return;  // out of memory: C is left as it was
  for (int64_t jc = 0; jc < g.N; jc += nc_max) {
    const int64_t nc = min64(nc_max, g.N - jc);
    for (int64_t pc = 0; pc < g.K; pc += KC) {
      const int64_t kc = min64(KC, g.K - pc);
      const bool acc = g.accumulate || pc > 0;
      k.pack_b(g.B + pc * g.brs + jc * g.bcs, g.brs, g.bcs, static_cast<int>(nc),
               static_cast<int>(kc), bp);
      for (int64_t ic = 0; ic < g.M; ic += mc_max) {
        const int64_t mc = min64(mc_max, g.M - ic);
        k.pack_a(g.A + ic * g.ars + pc * g.acs, g.ars, g.acs, static_cast<int>(mc),
                 static_cast<int>(kc), ap);
        for (int64_t jr = 0; jr * nr < nc; jr++) {
          const float* bpanel = bp + jr * nr * kc;
          const int nr_eff = static_cast<int>(min64(nr, nc - jr * nr));
          float* cblock = g.C + ic * g.ldc + jc + jr * nr;
          for (int64_t ir = 0; ir < mc; ir += mr) {
            k.micro(static_cast<int>(kc), ap + ir * kc, bpanel, cblock + ir * g.ldc, g.ldc,
                    static_cast<int>(min64(mr, mc - ir)), nr_eff, acc);
          }
        }
      }
    }
  }
}

/** How C is cut: tm row blocks by tn column blocks, handed out to threads as they come. */
struct Grid {
  const GemmArgs* g;
  const GemmIsa* k;
  int tm, tn;
  std::atomic<int> next{0};
};

/** [begin, end) of part i of n of a length, cut at multiples of `unit`. */
inline void split(int64_t len, int64_t unit, int i, int n, int64_t* begin, int64_t* end) {
  const int64_t units = ceil_div(len, unit);
  *begin = min64(units * i / n * unit, len);
  *end = min64(units * (i + 1) / n * unit, len);
}

/** Each thread takes the next unclaimed block until none is left, so a thread that starts late
 * (woken slowly, or descheduled on a busy machine) just computes fewer blocks. */
void run_grid(void* p, int, int) {
  Grid& gr = *static_cast<Grid*>(p);
  const GemmArgs& g = *gr.g;
  for (int b = gr.next.fetch_add(1); b < gr.tm * gr.tn; b = gr.next.fetch_add(1)) {
    int64_t m0, m1, n0, n1;
    split(g.M, gr.k->mr, b / gr.tn, gr.tm, &m0, &m1);
    split(g.N, gr.k->nr, b % gr.tn, gr.tn, &n0, &n1);
    if (m0 >= m1 || n0 >= n1) continue;
    GemmArgs s = g;
    s.M = m1 - m0;
    s.N = n1 - n0;
    s.A = g.A + m0 * g.ars;
    s.B = g.B + n0 * g.bcs;
    s.C = g.C + m0 * g.ldc + n0;
    gemm_block(s, *gr.k);
  }
}

thread_local Buffer tls_shared_b;

/** The shared-B nest: the threads pack each kc x nc block of B together into one buffer (two,
 * alternating), then take MC-row blocks of A as they come, each packing its own (see the
 * comment at the top for what a thread waits for). */
struct Shared {
  const GemmArgs* g;
  const GemmIsa* k;
  float* bp[2];
  int64_t nc_max, mc, mblocks;
  // Four per step: B panels claimed, B panels packed, A blocks claimed, A blocks finished.
  std::atomic<int>* counters;
  // One per step and A block: 1 once that block's rows of C are written for that step.
  std::atomic<int>* done;
};

/** Spins (then yields) until `a` reaches `target`. */
void wait_for(const std::atomic<int>& a, int64_t target) {
  for (int i = 0; a.load(std::memory_order_acquire) < target; i++) {
    if (i < 2000) {
#if defined(__x86_64__) || defined(_M_X64)
      __builtin_ia32_pause();
#endif
    } else {
      std::this_thread::yield();
    }
  }
}

void run_shared(void* p, int, int) {
  Shared& sh = *static_cast<Shared*>(p);
  const GemmArgs& g = *sh.g;
  const GemmIsa& k = *sh.k;
  const int64_t mr = k.mr, nr = k.nr;
  float* ap = tls_a.get(static_cast<size_t>(sh.mc * KC));
  int64_t step = 0;
  for (int64_t jc = 0; jc < g.N; jc += sh.nc_max) {
    const int64_t nc = min64(sh.nc_max, g.N - jc);
    const int64_t panels = ceil_div(nc, nr);
    for (int64_t pc = 0; pc < g.K; pc += KC, step++) {
      const int64_t kc = min64(KC, g.K - pc);
      const bool acc = g.accumulate || pc > 0;
      float* bp = sh.bp[step & 1];
      std::atomic<int>* ctr = sh.counters + 4 * step;
      // Step - 2 used this buffer: all its A blocks must be done before it is overwritten.
      if (step >= 2 && ctr[0].load(std::memory_order_relaxed) < panels)
        wait_for(sh.counters[4 * (step - 2) + 3], sh.mblocks);
      for (int64_t j = ctr[0].fetch_add(1); j < panels; j = ctr[0].fetch_add(1)) {
        const int64_t j0 = j * nr;
        k.pack_b(g.B + pc * g.brs + (jc + j0) * g.bcs, g.brs, g.bcs,
                 static_cast<int>(min64(nr, nc - j0)), static_cast<int>(kc), bp + j0 * kc);
        ctr[1].fetch_add(1, std::memory_order_release);
      }
      for (int64_t b = ctr[2].fetch_add(1); b < sh.mblocks; b = ctr[2].fetch_add(1)) {
        const int64_t ic = b * sh.mc;
        const int64_t mc = min64(sh.mc, g.M - ic);
        if (ap) {
          k.pack_a(g.A + ic * g.ars + pc * g.acs, g.ars, g.acs, static_cast<int>(mc),
                   static_cast<int>(kc), ap);
          wait_for(ctr[1], panels);
          // Another thread may still be adding step - 1 into these rows of C.
          if (pc > 0) wait_for(sh.done[(step - 1) * sh.mblocks + b], 1);
          for (int64_t jr = 0; jr < panels; jr++) {
            const float* bpanel = bp + jr * nr * kc;
            const int nr_eff = static_cast<int>(min64(nr, nc - jr * nr));
            float* cblock = g.C + ic * g.ldc + jc + jr * nr;
            for (int64_t ir = 0; ir < mc; ir += mr) {
              k.micro(static_cast<int>(kc), ap + ir * kc, bpanel, cblock + ir * g.ldc, g.ldc,
                      static_cast<int>(min64(mr, mc - ir)), nr_eff, acc);
            }
          }
        }
        sh.done[step * sh.mblocks + b].store(1, std::memory_order_release);
        ctr[3].fetch_add(1, std::memory_order_acq_rel);
      }
    }
  }
}

/** Runs the shared-B nest on `threads` threads; false if its buffers cannot be had. */
bool sgemm_shared(const GemmArgs& g, const GemmIsa& k, int threads) {
  const int64_t mr = k.mr, nr = k.nr;
  const int64_t nc_max = min64(NC_TARGET, ceil_div(g.N, nr) * nr);
  // A whole number of A blocks per thread, each at most MC_TARGET rows.
  const int64_t tiles = ceil_div(g.M, mr);
  int64_t mblocks = ceil_div(ceil_div(g.M, MC_TARGET), threads);
  if (mblocks < KEEL_GEMM_MINB) mblocks = KEEL_GEMM_MINB;
  mblocks *= threads;
  const int64_t mc = ceil_div(tiles, mblocks) * mr;
  mblocks = ceil_div(g.M, mc);
  const int64_t steps = ceil_div(g.N, nc_max) * ceil_div(g.K, KC);
  float* bp = tls_shared_b.get(static_cast<size_t>(2 * nc_max * KC));
  const int64_t flags = steps * (4 + mblocks);
  std::unique_ptr<std::atomic<int>[]> counters(new (std::nothrow) std::atomic<int>[flags]);
  if (!bp || !counters) return false;
  for (int64_t i = 0; i < flags; i++) counters[i].store(0, std::memory_order_relaxed);
  Shared sh{&g, &k, {bp, bp + nc_max * KC}, nc_max, mc, mblocks, counters.get(),
            counters.get() + 4 * steps};
  parallel_region(threads, run_shared, &sh);
  return true;
}

void zero_c(const GemmArgs& g) {
  for (int64_t i = 0; i < g.M; i++) std::memset(g.C + i * g.ldc, 0, g.N * sizeof(float));
}

}  // namespace

void sgemm(const GemmArgs& g, int max_threads) {
  if (g.M <= 0 || g.N <= 0) return;
  if (g.K <= 0) {
    if (!g.accumulate) zero_c(g);
    return;
  }
  const GemmIsa& k = isa().gemm;
  int threads = max_threads < num_threads() ? max_threads : num_threads();
  if (g.M * g.N * g.K < kParallelWork) threads = 1;
  // Never more blocks than there are micro-tiles.
  const int64_t tiles = ceil_div(g.M, k.mr) * ceil_div(g.N, k.nr);
  if (tiles < threads) threads = static_cast<int>(tiles);
  if (threads <= 1) {
    gemm_block(g, k);
    return;
  }
  if (ceil_div(g.M, k.mr) >= 4 * threads && sgemm_shared(g, k, threads)) return;
  // Four blocks per thread when the product is large enough, so that late threads can be
  // covered for; among the grids tm x tn of that many blocks, the one with the cheapest largest
  // block (its arithmetic plus its packing), counted in whole micro-tiles.
  int blocks = threads;
  if (g.M * g.N * g.K >= 16 * kParallelWork * threads && tiles >= 4 * threads) blocks = 4 * threads;
  Grid gr{&g, &k, blocks, 1};
  double best = -1;
  for (int tm = 1; tm <= blocks; tm++) {
    if (blocks % tm) continue;
    const int tn = blocks / tm;
    const double rows = static_cast<double>(ceil_div(ceil_div(g.M, k.mr), tm) * k.mr);
    const double cols = static_cast<double>(ceil_div(ceil_div(g.N, k.nr), tn) * k.nr);
    const double cost = rows * cols * static_cast<double>(g.K) + (rows + cols) * g.K * 8;
    if (best < 0 || cost < best) best = cost, gr.tm = tm, gr.tn = tn;
  }
  parallel_region(threads, run_grid, &gr);
}

void sgemm_batched(const GemmArgs& g, int64_t batch, int64_t a_stride, int64_t b_stride,
                   int64_t c_stride) {
  if (batch <= 0) return;
  const int64_t work = g.M * g.N * g.K;
  if (batch > 1 && work < 256 * 256 * 256 && num_threads() > 1) {
    // Many small products: one whole product per thread at a time.
    parallel_for(batch, work >= kParallelWork ? 1 : kParallelWork / (work + 1) + 1,
                 [&](int64_t b0, int64_t b1) {
                   for (int64_t b = b0; b < b1; b++) {
                     GemmArgs e = g;
                     e.A += b * a_stride;
                     e.B += b * b_stride;
                     e.C += b * c_stride;
                     sgemm(e, 1);
                   }
                 });
    return;
  }
  for (int64_t b = 0; b < batch; b++) {
    GemmArgs e = g;
    e.A += b * a_stride;
    e.B += b * b_stride;
    e.C += b * c_stride;
    sgemm(e, num_threads());
  }
}

}  // namespace keel
