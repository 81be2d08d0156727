// Node-API entry points of native/gather: every index is checked against the axis or the segment
// count again here, so a call from JavaScript cannot read or write out of bounds.
#include <napi.h>

#include <string>

#include "../napi_args.h"
#include "gather.h"

namespace {

using namespace keel::napi;

struct I32 {
  const int32_t* data;
  int64_t length;
};

I32 i32_arg(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw Napi::TypeError::New(info.Env(), std::string("keel native ") + fn + ": " + name +
                                               " must be an Int32Array");
  Napi::Int32Array a = v.As<Napi::Int32Array>();
  return {a.Data(), static_cast<int64_t>(a.ElementLength())};
}

void check_exact(const Napi::CallbackInfo& info, const F32& a, double n, const char* fn,
                 const char* name) {
  if (a.length != n)
    throw Napi::RangeError::New(info.Env(), std::string("keel native ") + fn + ": " + name +
                                                " has " + count(a.length) +
                                                " elements, expected " + count(n));
}

// gather(x, indices, y, outer, axisSize, inner)
Napi::Value Gather(const Napi::CallbackInfo& info) {
  const char* fn = "gather";
  check_args(info, 6, fn);
  F32 x = f32_arg(info, 0, fn, "x");
  I32 idx = i32_arg(info, 1, fn, "indices");
  F32 y = f32_arg(info, 2, fn, "y");
  const int64_t outer = int_arg(info, 3, fn, "outer"), axis = int_arg(info, 4, fn, "axisSize"),
                inner = int_arg(info, 5, fn, "inner");
  check_exact(info, x, product(info, {outer, axis, inner}, fn), fn, "x");
  check_exact(info, y, product(info, {outer, idx.length, inner}, fn), fn, "y");
  for (int64_t j = 0; j < idx.length; j++) {
    if (idx.data[j] < 0 || idx.data[j] >= axis)
      throw Napi::RangeError::New(info.Env(), std::string("keel native gather: index ") +
                                                  std::to_string(idx.data[j]) +
                                                  " is out of range for axis size " +
                                                  std::to_string(axis));
  }
  keel::gather_rows(x.data, idx.data, y.data, outer, axis, inner, idx.length);
  return info.Env().Undefined();
}

// unsortedSegmentSum(data, segmentIds, y, numSegments): y [numSegments, inner] is added to.
Napi::Value UnsortedSegmentSum(const Napi::CallbackInfo& info) {
  const char* fn = "unsortedSegmentSum";
  check_args(info, 4, fn);
  F32 data = f32_arg(info, 0, fn, "data");
  I32 ids = i32_arg(info, 1, fn, "segmentIds");
  F32 y = f32_arg(info, 2, fn, "y");
  const int64_t segments = int_arg(info, 3, fn, "numSegments");
  const int64_t m = ids.length;
  if (m == 0) {  // nothing to add (y's row width is unknown without rows)
    check_exact(info, data, 0, fn, "data");
    return info.Env().Undefined();
  }
  const double inner = data.length / static_cast<double>(m);
  if (inner != static_cast<double>(static_cast<int64_t>(inner)))
    throw Napi::RangeError::New(info.Env(), std::string("keel native ") + fn +
                                                ": data's length is not a multiple of the ids'");
  check_exact(info, y, product(info, {segments, static_cast<int64_t>(inner)}, fn), fn, "y");
  for (int64_t j = 0; j < m; j++) {
    if (ids.data[j] >= segments)
      throw Napi::RangeError::New(info.Env(), std::string("keel native unsortedSegmentSum: "
                                                          "segment id ") +
                                                  std::to_string(ids.data[j]) +
                                                  " is out of range for numSegments " +
                                                  std::to_string(segments));
  }
  keel::segment_sum_rows(data.data, ids.data, y.data, m, static_cast<int64_t>(inner), segments);
  return info.Env().Undefined();
}

}  // namespace

KEEL_NAPI_EXPORT("gather", Gather);
KEEL_NAPI_EXPORT("unsortedSegmentSum", UnsortedSegmentSum);
