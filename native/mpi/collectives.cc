// Node-API entry points of the MPI collectives (keel_mpi.node, built only where MPI is found).
// Every collective runs on the communicator thread on the caller's typed array, in place and
// without copies; the JavaScript side (src/distributed/collectives.ts) validates arguments first
// and these checks repeat it, so no call can make MPI read or write past an array.
#include <napi.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string>

#include "../napi_guard.h"
#include "comm_thread.h"

namespace keel {
namespace mpi {
namespace {

enum ReduceOp { kSum = 0, kMean = 1, kMax = 2, kMin = 3 };

struct Buffer {
  void* data;
  size_t count;
  MPI_Datatype type;
  const char* dtype;
  size_t elementSize;
};

bool finalized = false;

struct Pending {
  std::shared_ptr<Job> job;
  Napi::Reference<Napi::TypedArray> keep;  // the array stays alive while MPI uses it
};
std::map<uint64_t, Pending>& pending() {
  static auto* p = new std::map<uint64_t, Pending>();
  return *p;
}

[[noreturn]] void fail(Napi::Env env, const std::string& fn, const std::string& message) {
  throw Napi::Error::New(env, "keel distributed " + fn + ": " + message);
}

const World& ready(Napi::Env env, const char* fn) {
  CommThread& t = CommThread::get();
  if (!t.started()) fail(env, fn, "call distributed.init() first");
  if (finalized) fail(env, fn, "MPI was already finalized");
  return t.world();
}

Buffer buffer_arg(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray()) fail(info.Env(), fn, std::string(name) + " must be a typed array");
  auto a = v.As<Napi::TypedArray>();
  void* data = static_cast<uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset();
  size_t n = a.ElementLength();
  switch (a.TypedArrayType()) {
    case napi_float32_array: return {data, n, MPI_FLOAT, "float32", 4};
    case napi_float64_array: return {data, n, MPI_DOUBLE, "float64", 8};
    case napi_int32_array: return {data, n, MPI_INT, "int32", 4};
    case napi_uint8_array: return {data, n, MPI_UNSIGNED_CHAR, "uint8", 1};
    default:
      fail(info.Env(), fn,
           std::string(name) + " must be a Float32Array, Float64Array, Int32Array or Uint8Array");
  }
}

double number_arg(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name,
                  double lo, double hi) {
  Napi::Value v = info[i];
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
  if (!(d >= lo && d <= hi))
    fail(info.Env(), fn,
         std::string(name) + " must be a number in [" + std::to_string(lo) + ", " +
             std::to_string(hi) + "]");
  return d;
}

std::string describe(const char* fn, const Buffer& b) {
  return std::string(fn) + " of " + std::to_string(b.count) + " " + b.dtype;
}

/**
 * Allreduce in place, in chunks that fit MPI's int counts; mean divides after the sum. `chained`:
 * it follows another collective at once on every rank, so the ranks are together already and it
 * skips the polite wait for them (one synchronization where the ranks would otherwise meet twice).
 */
std::function<int()> allreduce_job(Buffer b, int op, int size, bool chained = false) {
  return [b, op, size, chained]() {
    if (!chained)
      if (int rc = CommThread::get().arrive(); rc != MPI_SUCCESS) return rc;
    MPI_Op mop = op == kMax ? MPI_MAX : op == kMin ? MPI_MIN : MPI_SUM;
    const size_t chunk = static_cast<size_t>(1) << 30;
    for (size_t off = 0; off < b.count || off == 0; off += chunk) {
      int n = static_cast<int>(std::min(chunk, b.count - off));
      char* p = static_cast<char*>(b.data) + off * b.elementSize;
      int rc = MPI_Allreduce(MPI_IN_PLACE, p, n, b.type, mop, MPI_COMM_WORLD);
      if (rc != MPI_SUCCESS) return rc;
      if (b.count == 0) break;
    }
    if (op == kMean) {
      if (b.type == MPI_FLOAT) {
        float* f = static_cast<float*>(b.data);
        for (size_t k = 0; k < b.count; k++) f[k] /= static_cast<float>(size);
      } else {
        double* d = static_cast<double*>(b.data);
        for (size_t k = 0; k < b.count; k++) d[k] /= size;
      }
    }
    return MPI_SUCCESS;
  };
}

/** Waits for a job; throws naming this rank on a timeout or an MPI error. */
double finish(Napi::Env env, const char* fn, Job& job, double timeoutMs) {
  const World& w = CommThread::get().world();
  if (!CommThread::wait(job, timeoutMs)) {
    fail(env, fn,
         job.what + " (collective #" + std::to_string(job.seq) + ") did not complete within " +
             std::to_string(static_cast<long long>(timeoutMs / 1000)) + " s on rank " +
             std::to_string(w.rank) + " of " + std::to_string(w.size) +
             ": another rank died, hangs or called a different collective");
  }
  if (job.code != MPI_SUCCESS)
    fail(env, fn,
         job.what + " failed on rank " + std::to_string(w.rank) + ": " +
             CommThread::errorString(job.code));
  return job.seconds;
}

Napi::Value InitMpi(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (finalized) fail(env, "init", "MPI was already finalized; it cannot be initialized again");
  std::string err = CommThread::get().start();
  if (!err.empty()) fail(env, "init", err);
  const World& w = CommThread::get().world();
  Napi::Object o = Napi::Object::New(env);
  o.Set("rank", w.rank);
  o.Set("size", w.size);
  o.Set("localRank", w.localRank);
  o.Set("localSize", w.localSize);
  o.Set("threadMultiple", w.threadLevel >= MPI_THREAD_MULTIPLE);
  o.Set("library", w.library);
  o.Set("waitMode", w.spin ? "spin" : "poll");
  return o;
}

Napi::Value Allreduce(const Napi::CallbackInfo& info) {
  const World& w = ready(info.Env(), "allreduce");
  Buffer b = buffer_arg(info, 0, "allreduce", "buffer");
  int op = static_cast<int>(number_arg(info, 1, "allreduce", "op", 0, 3));
  double timeout = number_arg(info, 2, "allreduce", "timeoutMs", 0, 1e12);
  if (op == kMean && b.type != MPI_FLOAT && b.type != MPI_DOUBLE)
    fail(info.Env(), "allreduce", "mean needs a Float32Array or Float64Array");
  auto job = CommThread::get().submit(describe("allreduce", b), allreduce_job(b, op, w.size));
  return Napi::Number::New(info.Env(), finish(info.Env(), "allreduce", *job, timeout));
}

Napi::Value AllreduceStart(const Napi::CallbackInfo& info) {
  const World& w = ready(info.Env(), "allreduceStart");
  Buffer b = buffer_arg(info, 0, "allreduceStart", "buffer");
  int op = static_cast<int>(number_arg(info, 1, "allreduceStart", "op", 0, 3));
  if (op == kMean && b.type != MPI_FLOAT && b.type != MPI_DOUBLE)
    fail(info.Env(), "allreduceStart", "mean needs a Float32Array or Float64Array");
  bool chained = info.Length() > 2 && info[2].ToBoolean().Value();
  auto job = CommThread::get().submit(describe("allreduce", b),
                                      allreduce_job(b, op, w.size, chained));
  pending()[job->seq] = {job, Napi::Persistent(info[0].As<Napi::TypedArray>())};
  return Napi::Number::New(info.Env(), static_cast<double>(job->seq));
}

Napi::Value Wait(const Napi::CallbackInfo& info) {
  ready(info.Env(), "wait");
  auto id = static_cast<uint64_t>(number_arg(info, 0, "wait", "handle", 1, 9007199254740992.0));
  double timeout = number_arg(info, 1, "wait", "timeoutMs", 0, 1e12);
  auto it = pending().find(id);
  if (it == pending().end())
    fail(info.Env(), "wait", "no collective " + std::to_string(id) + " is in flight");
  std::shared_ptr<Job> job = it->second.job;
  double s = finish(info.Env(), "wait", *job, timeout);  // on a timeout the array stays referenced
  pending().erase(id);
  return Napi::Number::New(info.Env(), s);
}

Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  const World& w = ready(info.Env(), "broadcast");
  Buffer b = buffer_arg(info, 0, "broadcast", "buffer");
  int root = static_cast<int>(number_arg(info, 1, "broadcast", "root", 0, w.size - 1));
  double timeout = number_arg(info, 2, "broadcast", "timeoutMs", 0, 1e12);
  if (b.count > INT_MAX) fail(info.Env(), "broadcast", "at most 2^31-1 elements");
  auto job = CommThread::get().submit(describe("broadcast", b), [b, root]() {
    if (int rc = CommThread::get().arrive(); rc != MPI_SUCCESS) return rc;
    return MPI_Bcast(b.data, static_cast<int>(b.count), b.type, root, MPI_COMM_WORLD);
  });
  return Napi::Number::New(info.Env(), finish(info.Env(), "broadcast", *job, timeout));
}

Napi::Value Allgather(const Napi::CallbackInfo& info) {
  const World& w = ready(info.Env(), "allgather");
  Buffer s = buffer_arg(info, 0, "allgather", "send");
  Buffer r = buffer_arg(info, 1, "allgather", "recv");
  double timeout = number_arg(info, 2, "allgather", "timeoutMs", 0, 1e12);
  if (s.type != r.type)
    fail(info.Env(), "allgather",
         std::string("send is ") + s.dtype + " but recv is " + r.dtype);
  if (r.count != s.count * static_cast<size_t>(w.size))
    fail(info.Env(), "allgather",
         "recv has " + std::to_string(r.count) + " elements, expected send's " +
             std::to_string(s.count) + " x " + std::to_string(w.size) + " ranks");
  if (r.count > INT_MAX) fail(info.Env(), "allgather", "at most 2^31-1 elements");
  auto job = CommThread::get().submit(describe("allgather", s), [s, r]() {
    if (int rc = CommThread::get().arrive(); rc != MPI_SUCCESS) return rc;
    return MPI_Allgather(s.data, static_cast<int>(s.count), s.type, r.data,
                         static_cast<int>(s.count), r.type, MPI_COMM_WORLD);
  });
  return Napi::Number::New(info.Env(), finish(info.Env(), "allgather", *job, timeout));
}

Napi::Value Barrier(const Napi::CallbackInfo& info) {
  ready(info.Env(), "barrier");
  double timeout = number_arg(info, 0, "barrier", "timeoutMs", 0, 1e12);
  auto job = CommThread::get().submit("barrier", []() {
    CommThread& t = CommThread::get();
    return t.world().spin ? MPI_Barrier(MPI_COMM_WORLD) : t.arrive();
  });
  return Napi::Number::New(info.Env(), finish(info.Env(), "barrier", *job, timeout));
}

Napi::Value Finalize(const Napi::CallbackInfo& info) {
  if (CommThread::get().started() && !finalized) {
    finalized = true;
    CommThread::get().finalize();
  }
  return info.Env().Undefined();
}

/** Ends every rank of the job: MPI_Abort, which the launcher reports with this rank. */
Napi::Value Abort(const Napi::CallbackInfo& info) {
  int code = static_cast<int>(number_arg(info, 0, "abort", "code", 0, 255));
  if (CommThread::get().started() && !finalized &&
      CommThread::get().world().threadLevel >= MPI_THREAD_MULTIPLE) {
    MPI_Abort(MPI_COMM_WORLD, code);
  }
  std::_Exit(code);
}

Napi::Object Module(Napi::Env env, Napi::Object exports) {
  exports.Set("init", keel::napi::guarded_function(env, "init", InitMpi));
  exports.Set("allreduce", keel::napi::guarded_function(env, "allreduce", Allreduce));
  exports.Set("allreduceStart", keel::napi::guarded_function(env, "allreduceStart", AllreduceStart));
  exports.Set("wait", keel::napi::guarded_function(env, "wait", Wait));
  exports.Set("broadcast", keel::napi::guarded_function(env, "broadcast", Broadcast));
  exports.Set("allgather", keel::napi::guarded_function(env, "allgather", Allgather));
  exports.Set("barrier", keel::napi::guarded_function(env, "barrier", Barrier));
  exports.Set("finalize", keel::napi::guarded_function(env, "finalize", Finalize));
  exports.Set("abort", keel::napi::guarded_function(env, "abort", Abort));
  return exports;
}

}  // namespace
}  // namespace mpi
}  // namespace keel

static Napi::Object KeelMpiModule(Napi::Env env, Napi::Object exports) {
  return keel::mpi::Module(env, exports);
}

NODE_API_MODULE(keel_mpi, KeelMpiModule)
