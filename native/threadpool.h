// A persistent pool of worker threads for data-parallel kernels.
//
// The calling (JavaScript) thread is worker 0 and takes part in every parallel region, so a region
// of n threads wakes n - 1 sleeping workers. Workers spin briefly, then sleep on a condition
// variable, so an idle pool costs nothing. Regions do not nest and only one runs at a time: a
// caller that finds the pool busy (another Node worker thread) runs its region alone.
#pragma once
#include <atomic>
#include <cstdint>

namespace keel {

/** Work of one region: fn(ctx, tid, nthreads) runs once on each of nthreads threads. */
using RegionFn = void (*)(void* ctx, int tid, int nthreads);

/** Threads kernels may use (default: the machine's cores). */
int num_threads();
/** Sets the thread count (>= 1); workers are started lazily, stopped when the count shrinks. */
void set_num_threads(int n);

/**
 * Runs fn on min(nthreads, num_threads()) threads and returns when all have finished. An exception
 * thrown by fn on any thread is rethrown here, to the caller, once every thread has finished (a
 * region that uses region_barrier must not throw between barriers: allocate before the region).
 */
void parallel_region(int nthreads, RegionFn fn, void* ctx);

/**
 * Like parallel_region, but a worker runs fn only if it starts before the calling thread has
 * returned from its own fn(ctx, 0, n); the caller then waits only for the workers that did.
 * For work that threads claim dynamically (parallel_for_dynamic): on a busy machine a worker
 * the scheduler has not run yet costs nothing, instead of holding up the whole region.
 * fn must not call region_barrier.
 */
void parallel_region_elastic(int nthreads, RegionFn fn, void* ctx);

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

/**
 * Runs body(begin, end) over [0, n) in chunks of `grain` (the last one shorter) that the threads
 * of an elastic region claim one after another, so whoever is running takes the next chunk and
 * a thread the machine has not scheduled yet is not waited for. body runs many times per thread
 * and must not depend on which thread runs it.
 */
template <class Body>
void parallel_for_dynamic(int64_t n, int64_t grain, const Body& body) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  int threads = num_threads();
  if ((n + grain - 1) / grain < threads) threads = static_cast<int>((n + grain - 1) / grain);
  if (threads <= 1) {
    body(int64_t{0}, n);
    return;
  }
  struct Ctx {
    const Body* body;
    int64_t n, grain;
    std::atomic<int64_t> next{0};
  } ctx{&body, n, grain};
  parallel_region_elastic(
      threads,
      [](void* p, int, int) {
        Ctx& c = *static_cast<Ctx*>(p);
        for (;;) {
          const int64_t b = c.next.fetch_add(c.grain, std::memory_order_relaxed);
          if (b >= c.n) return;
          (*c.body)(b, b + c.grain < c.n ? b + c.grain : c.n);
        }
      },
      &ctx);
}

}  // namespace keel
