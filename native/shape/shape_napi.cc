// Node-API entry points of the data movement kernels (native/shape/). Arrays may be any typed
// array of 1- or 4-byte elements (bool, float32, int32 storage): the kernels move elements without
// reading them as numbers. Every index a kernel can form is checked against the arrays here.
#include <napi.h>

#include <cmath>
#include <string>

#include "../napi_args.h"
#include "shape.h"

namespace {

using namespace keel::napi;
using keel::kMaxShapeRank;

/** A typed array of 1- or 4-byte elements, seen as raw storage. */
struct Raw {
  void* data;
  double length;
  size_t size;  // bytes per element
};

Napi::Error fail(const Napi::CallbackInfo& info, const char* fn, const std::string& what) {
  return Napi::RangeError::New(info.Env(), std::string("keel native ") + fn + ": " + what);
}

Raw raw_arg(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name) {
  Napi::Value v = info[i];
  size_t size = 0;
  if (v.IsTypedArray()) {
    switch (v.As<Napi::TypedArray>().TypedArrayType()) {
      case napi_int8_array:
      case napi_uint8_array:
      case napi_uint8_clamped_array:
        size = 1;
        break;
      case napi_int32_array:
      case napi_uint32_array:
      case napi_float32_array:
        size = 4;
        break;
      default:
        break;
    }
  }
  if (size == 0)
    throw Napi::TypeError::New(info.Env(), std::string("keel native ") + fn + ": " + name +
                                               " must be a typed array of 1- or 4-byte elements");
  Napi::TypedArray a = v.As<Napi::TypedArray>();
  void* data = static_cast<uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset();
  return {data, static_cast<double>(a.ElementLength()), size};
}

void same_size(const Napi::CallbackInfo& info, const char* fn, const Raw& a, const Raw& b) {
  if (a.size != b.size) throw fail(info, fn, "arrays differ in element size");
}

/** Argument i as a Float64Array of 0..kMaxShapeRank integers in [lo, 2^32]; returns the count. */
int ints_arg(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name,
             int64_t* out, double lo = 0) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      v.As<Napi::Float64Array>().ElementLength() > static_cast<size_t>(kMaxShapeRank)) {
    throw Napi::TypeError::New(info.Env(), std::string("keel native ") + fn + ": " + name +
                                               " must be a Float64Array of at most " +
                                               std::to_string(kMaxShapeRank));
  }
  Napi::Float64Array a = v.As<Napi::Float64Array>();
  const int n = static_cast<int>(a.ElementLength());
  for (int d = 0; d < n; d++) {
    const double x = a[d];
    if (!(x >= lo && x <= 4294967296.0) || std::floor(x) != x)
      throw fail(info, fn, std::string(name) + "[" + std::to_string(d) + "] is out of range");
    out[d] = static_cast<int64_t>(x);
  }
  return n;
}

/** Π shape (below 2^53, or a RangeError). */
double elements(const Napi::CallbackInfo& info, const char* fn, const int64_t* shape, int rank) {
  double n = 1;
  for (int d = 0; d < rank; d++) n *= static_cast<double>(shape[d]);
  if (!(n < 9007199254740992.0)) throw fail(info, fn, "sizes are too large");
  return n;
}

void exact_len(const Napi::CallbackInfo& info, const char* fn, const char* name, const Raw& a,
               double n) {
  if (a.length != n)
    throw fail(info, fn, std::string(name) + " has " + count(a.length) + " elements, the shape needs " + count(n));
}

/** Throws unless offset + Σ (shape[d] - 1) strides[d] is inside a (when the shape is not empty). */
void reach(const Napi::CallbackInfo& info, const char* fn, const char* name, const Raw& a,
           double offset, const int64_t* strides, const int64_t* shape, int rank) {
  double last = offset;
  for (int d = 0; d < rank; d++) {
    if (shape[d] == 0) return;
    last += static_cast<double>(shape[d] - 1) * static_cast<double>(strides[d]);
  }
  if (!(last < a.length)) throw fail(info, fn, std::string(name) + " is too short for the strides");
}

// transpose(x, y, xShape, perm)
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  const char* fn = "transpose";
  check_args(info, 4, fn);
  Raw x = raw_arg(info, 0, fn, "x"), y = raw_arg(info, 1, fn, "y");
  same_size(info, fn, x, y);
  int64_t shape[kMaxShapeRank], perm[kMaxShapeRank];
  const int rank = ints_arg(info, 2, fn, "xShape", shape);
  if (ints_arg(info, 3, fn, "perm", perm) != rank) throw fail(info, fn, "perm and xShape differ in length");
  bool seen[kMaxShapeRank] = {false};
  for (int d = 0; d < rank; d++) {
    if (perm[d] >= rank || seen[perm[d]]) throw fail(info, fn, "perm is not a permutation");
    seen[perm[d]] = true;
  }
  const double n = elements(info, fn, shape, rank);
  exact_len(info, fn, "x", x, n);
  exact_len(info, fn, "y", y, n);
  if (x.size == 1)
    keel::transpose(static_cast<const uint8_t*>(x.data), static_cast<uint8_t*>(y.data), shape, perm, rank);
  else
    keel::transpose(static_cast<const uint32_t*>(x.data), static_cast<uint32_t*>(y.data), shape, perm, rank);
  return info.Env().Undefined();
}

// stridedCopy(x, y, offset, strides, shape)
Napi::Value StridedCopy(const Napi::CallbackInfo& info) {
  const char* fn = "stridedCopy";
  check_args(info, 5, fn);
  Raw x = raw_arg(info, 0, fn, "x"), y = raw_arg(info, 1, fn, "y");
  same_size(info, fn, x, y);
  const int64_t offset = int_arg(info, 2, fn, "offset");
  int64_t strides[kMaxShapeRank], shape[kMaxShapeRank];
  const int rank = ints_arg(info, 3, fn, "strides", strides);
  if (ints_arg(info, 4, fn, "shape", shape) != rank) throw fail(info, fn, "strides and shape differ in length");
  exact_len(info, fn, "y", y, elements(info, fn, shape, rank));
  reach(info, fn, "x", x, static_cast<double>(offset), strides, shape, rank);
  if (x.size == 1)
    keel::strided_copy(static_cast<const uint8_t*>(x.data), offset, strides, static_cast<uint8_t*>(y.data), shape, rank);
  else
    keel::strided_copy(static_cast<const uint32_t*>(x.data), offset, strides, static_cast<uint32_t*>(y.data), shape, rank);
  return info.Env().Undefined();
}

// mappedCopy(x, y, fill, maps, xShape, yShape): fill is a 1-element array of x's type.
Napi::Value MappedCopy(const Napi::CallbackInfo& info) {
  const char* fn = "mappedCopy";
  check_args(info, 6, fn);
  Raw x = raw_arg(info, 0, fn, "x"), y = raw_arg(info, 1, fn, "y"), fill = raw_arg(info, 2, fn, "fill");
  same_size(info, fn, x, y);
  same_size(info, fn, x, fill);
  if (fill.length != 1) throw fail(info, fn, "fill must hold one element");
  if (!info[3].IsTypedArray() || info[3].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw Napi::TypeError::New(info.Env(), "keel native mappedCopy: maps must be an Int32Array");
  Napi::Int32Array maps = info[3].As<Napi::Int32Array>();
  int64_t xs[kMaxShapeRank], ys[kMaxShapeRank];
  const int rank = ints_arg(info, 4, fn, "xShape", xs);
  if (ints_arg(info, 5, fn, "yShape", ys) != rank) throw fail(info, fn, "xShape and yShape differ in length");
  exact_len(info, fn, "x", x, elements(info, fn, xs, rank));
  exact_len(info, fn, "y", y, elements(info, fn, ys, rank));
  double total = 0;
  for (int d = 0; d < rank; d++) total += static_cast<double>(ys[d]);
  if (static_cast<double>(maps.ElementLength()) != total) throw fail(info, fn, "maps must hold sum(yShape) entries");
  const int32_t* m = maps.Data();
  size_t at = 0;
  for (int d = 0; d < rank; d++)
    for (int64_t i = 0; i < ys[d]; i++, at++)
      if (m[at] < -1 || m[at] >= xs[d]) throw fail(info, fn, "a map entry is outside its axis");
  int64_t strides[kMaxShapeRank];
  int64_t stride = 1;
  for (int d = rank - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= xs[d];
  }
  if (x.size == 1)
    keel::mapped_copy(static_cast<const uint8_t*>(x.data), m, strides, static_cast<uint8_t*>(y.data), ys, rank,
                      *static_cast<const uint8_t*>(fill.data));
  else
    keel::mapped_copy(static_cast<const uint32_t*>(x.data), m, strides, static_cast<uint32_t*>(y.data), ys, rank,
                      *static_cast<const uint32_t*>(fill.data));
  return info.Env().Undefined();
}

// concatPart(x, y, outer, inner, row, start)
Napi::Value ConcatPart(const Napi::CallbackInfo& info) {
  const char* fn = "concatPart";
  check_args(info, 6, fn);
  Raw x = raw_arg(info, 0, fn, "x"), y = raw_arg(info, 1, fn, "y");
  same_size(info, fn, x, y);
  const int64_t outer = int_arg(info, 2, fn, "outer"), inner = int_arg(info, 3, fn, "inner"),
                row = int_arg(info, 4, fn, "row"), start = int_arg(info, 5, fn, "start");
  if (!(static_cast<double>(start) + static_cast<double>(inner) <= static_cast<double>(row)))
    throw fail(info, fn, "start + inner exceeds row");
  exact_len(info, fn, "x", x, product(info, {outer, inner}, fn));
  exact_len(info, fn, "y", y, product(info, {outer, row}, fn));
  if (x.size == 1)
    keel::concat_part(static_cast<const uint8_t*>(x.data), static_cast<uint8_t*>(y.data), outer, inner, row, start);
  else
    keel::concat_part(static_cast<const uint32_t*>(x.data), static_cast<uint32_t*>(y.data), outer, inner, row, start);
  return info.Env().Undefined();
}

// where(cond, a, b, y, shape, condStrides, aStrides, bStrides)
Napi::Value Where(const Napi::CallbackInfo& info) {
  const char* fn = "where";
  check_args(info, 8, fn);
  Raw c = raw_arg(info, 0, fn, "cond"), a = raw_arg(info, 1, fn, "a"), b = raw_arg(info, 2, fn, "b"),
      y = raw_arg(info, 3, fn, "y");
  if (c.size != 1) throw Napi::TypeError::New(info.Env(), "keel native where: cond must be a Uint8Array");
  same_size(info, fn, a, y);
  same_size(info, fn, b, y);
  int64_t shape[kMaxShapeRank], sc[kMaxShapeRank], sa[kMaxShapeRank], sb[kMaxShapeRank];
  const int rank = ints_arg(info, 4, fn, "shape", shape);
  if (ints_arg(info, 5, fn, "condStrides", sc) != rank || ints_arg(info, 6, fn, "aStrides", sa) != rank ||
      ints_arg(info, 7, fn, "bStrides", sb) != rank)
    throw fail(info, fn, "strides and shape differ in length");
  exact_len(info, fn, "y", y, elements(info, fn, shape, rank));
  reach(info, fn, "cond", c, 0, sc, shape, rank);
  reach(info, fn, "a", a, 0, sa, shape, rank);
  reach(info, fn, "b", b, 0, sb, shape, rank);
  const uint8_t* cd = static_cast<const uint8_t*>(c.data);
  if (y.size == 1)
    keel::where(cd, sc, static_cast<const uint8_t*>(a.data), sa, static_cast<const uint8_t*>(b.data), sb,
                static_cast<uint8_t*>(y.data), shape, rank);
  else
    keel::where(cd, sc, static_cast<const uint32_t*>(a.data), sa, static_cast<const uint32_t*>(b.data), sb,
                static_cast<uint32_t*>(y.data), shape, rank);
  return info.Env().Undefined();
}

// oneHot(indices, y, depth, onValue, offValue)
Napi::Value OneHot(const Napi::CallbackInfo& info) {
  const char* fn = "oneHot";
  check_args(info, 5, fn);
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw Napi::TypeError::New(info.Env(), "keel native oneHot: indices must be an Int32Array");
  Napi::Int32Array idx = info[0].As<Napi::Int32Array>();
  F32 y = f32_arg(info, 1, fn, "y");
  const int64_t depth = int_arg(info, 2, fn, "depth");
  const double on = num_arg(info, 3, fn, "onValue"), off = num_arg(info, 4, fn, "offValue");
  const double n = static_cast<double>(idx.ElementLength());
  if (y.length != n * static_cast<double>(depth)) throw fail(info, fn, "y must hold indices.length * depth elements");
  keel::one_hot(idx.Data(), static_cast<int64_t>(n), depth, static_cast<float>(on), static_cast<float>(off), y.data);
  return info.Env().Undefined();
}

KEEL_NAPI_EXPORT("transpose", Transpose);
KEEL_NAPI_EXPORT("stridedCopy", StridedCopy);
KEEL_NAPI_EXPORT("mappedCopy", MappedCopy);
KEEL_NAPI_EXPORT("concatPart", ConcatPart);
KEEL_NAPI_EXPORT("where", Where);
KEEL_NAPI_EXPORT("oneHot", OneHot);

}  // namespace
