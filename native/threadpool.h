// A persistent pool of worker threads for data-parallel kernels.
//
// The calling (JavaScript) thread is worker 0 and takes part in every parallel region, so a region
// of n threads wakes n - 1 sleeping workers. Workers spin briefly, then sleep on a condition
// variable, so an idle pool costs nothing. Regions do not nest and only one runs at a time: a
// caller that finds the pool busy (another Node worker thread) runs its region alone.
#pragma once
#include <cstdint>

namespace keel {

/** Work of one region: fn(ctx, tid, nthreads) runs once on each of nthreads threads. */
using RegionFn = void (*)(void* ctx, int tid, int nthreads);

/** Threads kernels may use (default: the machine's cores). */
int num_threads();
/** Sets the thread count (>= 1); workers are started lazily, stopped when the count shrinks. */
void set_num_threads(int n);

/** Runs fn on min(nthreads, num_threads()) threads and returns when all have finished. */
void parallel_region(int nthreads, RegionFn fn, void* ctx);

/** Waits until every thread of the current region has arrived (call from inside a region). */
void region_barrier();

/** Splits [0, n) into contiguous chunks of at least `grain` and runs body(begin, end) on them. */
template <class Body>
void parallel_for(int64_t n, int64_t grain, const Body& body) {
  if (n <= 0) return;
  int64_t chunks = grain > 0 ? (n + grain - 1) / grain : n;
  int threads = num_threads();
  if (chunks < threads) threads = static_cast<int>(chunks);
  if (threads <= 1) {
    body(int64_t{0}, n);
    return;
  }
  struct Ctx {
    const Body* body;
    int64_t n;
  } ctx{&body, n};
  parallel_region(
      threads,
      [](void* p, int tid, int nt) {
        const Ctx& c = *static_cast<const Ctx*>(p);
        int64_t begin = c.n * tid / nt;
        int64_t end = c.n * (tid + 1) / nt;
        if (begin < end) (*c.body)(begin, end);
      },
      &ctx);
}

}  // namespace keel
