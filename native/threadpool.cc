#include "threadpool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define KEEL_PAUSE() _mm_pause()
#else
#define KEEL_PAUSE() std::this_thread::yield()
#endif

namespace keel {
namespace {

constexpr int kSpins = 4000;
constexpr uint64_t kClosed = uint64_t{1} << 31;
// After a region, workers stay awake this long (spinning, then yielding) before they sleep, as
// OpenMP runtimes and OpenBLAS do: back-to-back kernels then find them ready, and a busy
// machine's scheduler does not have to wake them (which can take milliseconds).
constexpr auto kStayAwake = std::chrono::microseconds(1000);

struct Pool {
  std::mutex busy;  // held by the thread running a region
  std::mutex m;
  std::condition_variable wake;
  std::vector<std::thread> workers;
  int threads = 1;
  // The current region, published by bumping `generation`.
  std::atomic<uint64_t> generation{0};
  RegionFn fn = nullptr;
  void* ctx = nullptr;
  int region_threads = 1;
  bool elastic = false;  // the region's workers take part only if they claim a seat in time
  std::atomic<int> remaining{0};
  // An elastic region's seats: (generation << 32) | closed bit (1 << 31) | seats claimed.
  std::atomic<uint64_t> seats{0};
  std::atomic<int> finished{0};  // claimed seats whose work is done
  bool stopping = false;
  // A sense-reversing barrier for the threads of the current region.
  std::atomic<int> barrier_count{0};
  std::atomic<uint64_t> barrier_phase{0};
  // The first exception a thread of the current region threw; the caller rethrows it once every
  // thread has finished, so a worker's std::bad_alloc reaches JavaScript instead of terminate().
  std::mutex error_m;
  std::exception_ptr error;
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: workers may outlive static destructors
  return *p;
}

thread_local int tls_region_threads = 1;

/** Runs fn(ctx, tid, threads), keeping the region's first exception instead of letting it out. */
void run_share(Pool& p, RegionFn fn, void* ctx, int tid, int threads) {
  try {
    fn(ctx, tid, threads);
  } catch (...) {
    std::lock_guard<std::mutex> lock(p.error_m);
    if (!p.error) p.error = std::current_exception();
  }
}

// `seen` starts at the generation current when the worker was created: regions published
// before it existed (whose context may be gone) are not its to run.
void worker_main(int tid, uint64_t seen) {
  Pool& p = pool();
  for (;;) {
    const auto until = std::chrono::steady_clock::now() + kStayAwake;
    for (int i = 0; p.generation.load(std::memory_order_acquire) == seen; i++) {
      if (i < kSpins) {
        KEEL_PAUSE();
      } else {
        if (std::chrono::steady_clock::now() > until) break;
        std::this_thread::yield();
      }
    }
    RegionFn fn;
    void* ctx;
    int threads;
    bool elastic;
    {
      // Read the region under the lock its fields were written under, so they are consistent.
      std::unique_lock<std::mutex> lock(p.m);
      p.wake.wait(lock, [&] {
        return p.stopping || p.generation.load(std::memory_order_acquire) != seen;
      });
      if (p.stopping) return;
      seen = p.generation.load(std::memory_order_acquire);
      fn = p.fn;
      ctx = p.ctx;
      threads = p.region_threads;
      elastic = p.elastic;
    }
    if (elastic && tid < threads) {
      // Claim a seat unless the caller has closed the region (it then no longer waits for us).
      const uint64_t gen = (seen & 0xffffffffu) << 32;
      uint64_t v = p.seats.load(std::memory_order_acquire);
      bool claimed = false;
      while ((v & ~uint64_t{0xffffffffu}) == gen && (v & kClosed) == 0 && !claimed)
        claimed = p.seats.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel);
      if (claimed) {
        tls_region_threads = threads;
        run_share(p, fn, ctx, tid, threads);
        tls_region_threads = 1;
        p.finished.fetch_add(1, std::memory_order_acq_rel);
      }
    } else if (tid < threads) {
      tls_region_threads = threads;
      run_share(p, fn, ctx, tid, threads);
      tls_region_threads = 1;
      p.remaining.fetch_sub(1, std::memory_order_acq_rel);
    }
  }
}

void stop_workers(Pool& p) {
  {
    std::lock_guard<std::mutex> lock(p.m);
    p.stopping = true;
  }
  p.wake.notify_all();
  for (auto& t : p.workers) t.join();
  p.workers.clear();
  p.stopping = false;
}

}  // namespace

int num_threads() { return pool().threads; }

void set_num_threads(int n) {
  Pool& p = pool();
  if (n < 1) n = 1;
  if (n > 256) n = 256;
  std::lock_guard<std::mutex> busy(p.busy);
  if (static_cast<int>(p.workers.size()) > n - 1) stop_workers(p);
  p.threads = n;
}

namespace {

/** Spins (then yields) until done() holds. */
template <class Done>
void wait_for(const Done& done) {
  for (int i = 0; !done(); i++) {
    if (i < kSpins) KEEL_PAUSE();
    else std::this_thread::yield();
  }
}

/**
 * Publishes a region of nthreads (capped by the pool) and runs the caller's share, or runs fn
 * alone (one thread, or the pool busy with another caller's region).
 */
void run_region(int nthreads, RegionFn fn, void* ctx, bool elastic) {
  Pool& p = pool();
  if (nthreads > p.threads) nthreads = p.threads;
  std::unique_lock<std::mutex> busy(p.busy, std::try_to_lock);
  if (nthreads <= 1 || !busy.owns_lock()) {
    tls_region_threads = 1;
    fn(ctx, 0, 1);
    return;
  }
  while (static_cast<int>(p.workers.size()) < p.threads - 1) {
    int tid = static_cast<int>(p.workers.size()) + 1;
    p.workers.emplace_back(worker_main, tid, p.generation.load(std::memory_order_acquire));
  }
  {
    std::lock_guard<std::mutex> lock(p.m);
    p.fn = fn;
    p.ctx = ctx;
    p.region_threads = nthreads;
    p.elastic = elastic;
    p.remaining.store(nthreads - 1, std::memory_order_relaxed);
    p.barrier_count.store(0, std::memory_order_relaxed);
    p.finished.store(0, std::memory_order_relaxed);
    const uint64_t gen = p.generation.load(std::memory_order_relaxed) + 1;
    p.seats.store((gen & 0xffffffffu) << 32, std::memory_order_relaxed);
    p.generation.fetch_add(1, std::memory_order_release);
  }
  p.wake.notify_all();
  tls_region_threads = elastic ? 1 : nthreads;  // no barriers in an elastic region
  run_share(p, fn, ctx, 0, nthreads);
  if (elastic) {
    // Close the region: workers that have not claimed a seat by now will not run it.
    const uint64_t seats = p.seats.fetch_or(kClosed, std::memory_order_acq_rel);
    const int claimed = static_cast<int>(seats & (kClosed - 1));
    wait_for([&] { return p.finished.load(std::memory_order_acquire) == claimed; });
  } else {
    wait_for([&] { return p.remaining.load(std::memory_order_acquire) == 0; });
  }
  tls_region_threads = 1;
  std::exception_ptr error;
  {
    std::lock_guard<std::mutex> lock(p.error_m);
    error = p.error;
    p.error = nullptr;
  }
  if (error) std::rethrow_exception(error);  // after every thread is done with ctx
}

}  // namespace

void parallel_region(int nthreads, RegionFn fn, void* ctx) {
  run_region(nthreads, fn, ctx, false);
}

void parallel_region_elastic(int nthreads, RegionFn fn, void* ctx) {
  run_region(nthreads, fn, ctx, true);
}

void region_barrier() {
  int n = tls_region_threads;
  if (n <= 1) return;
  Pool& p = pool();
  uint64_t phase = p.barrier_phase.load(std::memory_order_acquire);
  if (p.barrier_count.fetch_add(1, std::memory_order_acq_rel) == n - 1) {
    p.barrier_count.store(0, std::memory_order_relaxed);
    p.barrier_phase.fetch_add(1, std::memory_order_release);
    return;
  }
  for (int i = 0; p.barrier_phase.load(std::memory_order_acquire) == phase; i++) {
    if (i < kSpins) KEEL_PAUSE();
    else std::this_thread::yield();
  }
}

}  // namespace keel
