// The communicator thread: one thread owns MPI (as Horovod's background thread does). It calls
// MPI_Init_thread and every collective, one job at a time in submission order, so JavaScript can
// start an allreduce and keep computing while it runs, and a caller can stop waiting after a
// timeout (a rank that died or hangs) instead of blocking the process forever.
#pragma once
#include <mpi.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace keel {
namespace mpi {

/** One collective: what it does (for errors), the MPI calls, and its completion. */
struct Job {
  std::string what;
  std::function<int()> run;  // returns an MPI error code
  uint64_t seq = 0;
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  int code = MPI_SUCCESS;
  double seconds = 0;  // wall time inside MPI
};

struct World {
  int rank = 0;
  int size = 1;
  int localRank = 0;
  int localSize = 1;
  int threadLevel = 0;
  std::string library;
  /** KEEL_MPI_WAIT=spin: collectives block in MPI (which busy-polls) as soon as they are called. */
  bool spin = false;
};

class CommThread {
 public:
  static CommThread& get();
  /** Starts the thread, which initializes MPI; "" on success, else the reason. */
  std::string start();
  bool started() const { return started_; }
  const World& world() const { return world_; }
  /** Queues a job; the thread runs jobs in order. */
  std::shared_ptr<Job> submit(std::string what, std::function<int()> run);
  /** Waits for a job; false when timeoutMs (> 0) passed first. */
  static bool wait(Job& job, double timeoutMs);
  /** MPI_Finalize on the thread (after every queued job), then the thread ends. */
  void finalize();
  /** The MPI error string of a code. */
  static std::string errorString(int code);
  /**
   * Waits until every rank has reached this collective, sleeping between polls (MPI_Ibarrier,
   * MPI_Test with a backoff from a few microseconds to 100 us) so that a rank that arrives first
   * leaves its core to the computation instead of busy-polling in MPI; the collective itself then
   * runs with every rank present. Without it (KEEL_MPI_WAIT=spin) MPI's own blocking wait spins.
   */
  int arrive();

 private:
  void loop();
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Job>> queue_;
  bool started_ = false;
  bool stopping_ = false;
  uint64_t seq_ = 0;
  World world_;
  std::string initError_;
  bool initDone_ = false;
};

}  // namespace mpi
}  // namespace keel
