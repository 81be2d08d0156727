#include "comm_thread.h"

#include <dlfcn.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace keel {
namespace mpi {

CommThread& CommThread::get() {
  // Never destroyed: a thread stuck in a collective must not meet a destructor at exit.
  static CommThread* instance = new CommThread();
  return *instance;
}

std::string CommThread::errorString(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(code, text, &len) != MPI_SUCCESS) return "MPI error " + std::to_string(code);
  return std::string(text, len);
}

std::string CommThread::start() {
  std::unique_lock<std::mutex> lock(m_);
  if (started_) return initError_;
  started_ = true;
  // Open MPI loads its transports as plugins that expect libmpi's symbols to be global; an addon
  // is loaded with RTLD_LOCAL, so promote the library that is already loaded (mpi4py does this).
  for (const char* lib : {"libmpi.so.40", "libmpi.so.12", "libmpi.so"}) {
    if (dlopen(lib, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD)) break;
  }
  std::thread([this] { loop(); }).detach();
  cv_.wait(lock, [this] { return initDone_; });
  return initError_;
}

void CommThread::loop() {
  int provided = 0;
  int code = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided);
  {
    std::lock_guard<std::mutex> lock(m_);
    if (code != MPI_SUCCESS) {
      initError_ = "MPI_Init_thread failed: " + errorString(code);
    } else {
      MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
      MPI_Comm_rank(MPI_COMM_WORLD, &world_.rank);
      MPI_Comm_size(MPI_COMM_WORLD, &world_.size);
      MPI_Comm local;
      MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, world_.rank, MPI_INFO_NULL, &local);
      MPI_Comm_rank(local, &world_.localRank);
      MPI_Comm_size(local, &world_.localSize);
      MPI_Comm_free(&local);
      world_.threadLevel = provided;
      const char* wait = std::getenv("KEEL_MPI_WAIT");
      world_.spin = wait != nullptr && std::strcmp(wait, "spin") == 0;
      char version[MPI_MAX_LIBRARY_VERSION_STRING];
      int len = 0;
      MPI_Get_library_version(version, &len);
      world_.library = std::string(version, len);
      while (!world_.library.empty() &&
             (world_.library.back() == '\n' || world_.library.back() == '\0'))
        world_.library.pop_back();
    }
    initDone_ = true;
  }
  cv_.notify_all();
  if (code != MPI_SUCCESS) return;
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(m_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping and drained
      job = queue_.front();
      queue_.pop_front();
    }
    auto t0 = std::chrono::steady_clock::now();
    int rc = job->run();
    auto t1 = std::chrono::steady_clock::now();
    {
      std::lock_guard<std::mutex> lock(job->m);
      job->code = rc;
      job->seconds = std::chrono::duration<double>(t1 - t0).count();
      job->done = true;
    }
    job->cv.notify_all();
  }
  MPI_Finalize();
  std::lock_guard<std::mutex> lock(m_);
  stopping_ = false;
  cv_.notify_all();
}

std::shared_ptr<Job> CommThread::submit(std::string what, std::function<int()> run) {
  auto job = std::make_shared<Job>();
  job->what = std::move(what);
  job->run = std::move(run);
  {
    std::lock_guard<std::mutex> lock(m_);
    job->seq = ++seq_;
    queue_.push_back(job);
  }
  cv_.notify_all();
  return job;
}

int CommThread::arrive() {
  if (world_.spin || world_.size == 1) return MPI_SUCCESS;
  MPI_Request req;
  int rc = MPI_Ibarrier(MPI_COMM_WORLD, &req);
  if (rc != MPI_SUCCESS) return rc;
  int flag = 0;
  // A short spin first: when the other ranks are already there the barrier ends in microseconds.
  for (int i = 0; i < 64; i++) {
    rc = MPI_Test(&req, &flag, MPI_STATUS_IGNORE);
    if (rc != MPI_SUCCESS || flag) return rc;
  }
  auto nap = std::chrono::microseconds(4);
  for (;;) {
    std::this_thread::sleep_for(nap);
    rc = MPI_Test(&req, &flag, MPI_STATUS_IGNORE);
    if (rc != MPI_SUCCESS || flag) return rc;
    if (nap < std::chrono::microseconds(100)) nap *= 2;
  }
}

bool CommThread::wait(Job& job, double timeoutMs) {
  std::unique_lock<std::mutex> lock(job.m);
  if (timeoutMs <= 0) {
    job.cv.wait(lock, [&] { return job.done; });
    return true;
  }
  return job.cv.wait_for(lock, std::chrono::duration<double, std::milli>(timeoutMs),
                         [&] { return job.done; });
}

void CommThread::finalize() {
  std::unique_lock<std::mutex> lock(m_);
  if (!started_ || !initError_.empty()) return;
  stopping_ = true;
  cv_.notify_all();
  cv_.wait(lock, [this] { return !stopping_; });
}

}  // namespace mpi
}  // namespace keel
