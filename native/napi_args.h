// Argument checks shared by every Node-API entry point (addon.cc and the */*_napi.cc files): each
// throws a JavaScript TypeError/RangeError naming the function and argument, so no call from
// JavaScript can make a kernel read or write out of bounds.
#pragma once
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <vector>

namespace keel {
namespace napi {

struct F32 {
  float* data;
  double length;
};

/** x as an integer in decimal (x is a length or a count computed in double). */
inline std::string count(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", x);
  return buf;
}

/** Argument i as a Float32Array, or a TypeError naming the function and argument. */
inline F32 f32_arg(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(info.Env(), std::string("keel native ") + fn + ": " + name +
                                               " must be a Float32Array");
  }
  Napi::Float32Array a = v.As<Napi::Float32Array>();
  return {a.Data(), static_cast<double>(a.ElementLength())};
}

/** Argument i as an integer in [lo, 2^53], or a RangeError. */
inline int64_t int_arg(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name,
                double lo = 0) {
  Napi::Value v = info[i];
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
  if (!(d >= lo && d <= 9007199254740992.0) || std::floor(d) != d) {
    throw Napi::RangeError::New(info.Env(), std::string("keel native ") + fn + ": " + name +
                                                " must be an integer >= " +
                                                count(lo));
  }
  return static_cast<int64_t>(d);
}

inline double num_arg(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name) {
  Napi::Value v = info[i];
  if (!v.IsNumber()) {
    throw Napi::TypeError::New(info.Env(),
                               std::string("keel native ") + fn + ": " + name + " must be a number");
  }
  return v.As<Napi::Number>().DoubleValue();
}

inline bool bool_arg(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name) {
  Napi::Value v = info[i];
  if (!v.IsBoolean()) {
    throw Napi::TypeError::New(info.Env(),
                               std::string("keel native ") + fn + ": " + name + " must be a boolean");
  }
  return v.As<Napi::Boolean>().Value();
}

inline void check_args(const Napi::CallbackInfo& info, size_t n, const char* fn) {
  if (info.Length() != n) {
    throw Napi::TypeError::New(info.Env(), std::string("keel native ") + fn + ": expected " +
                                               std::to_string(n) + " arguments");
  }
}

/** Throws unless the array holds at least `need` elements (need computed in double: no overflow). */
inline void check_len(const Napi::CallbackInfo& info, const F32& a, double need, const char* fn,
               const char* name) {
  if (!(need <= a.length)) {
    throw Napi::RangeError::New(info.Env(), std::string("keel native ") + fn + ": " + name +
                                                " has " + count(a.length) +
                                                " elements, the sizes need " +
                                                count(need));
  }
}

/** Argument i as a Float64Array of exactly n integers >= lo whose partial products stay below
 * 2^53 (so every size computed from them in int64 is exact); copied into out. */
inline void dims_arg(const Napi::CallbackInfo& info, size_t i, const char* fn, size_t n, int64_t* out,
              const int64_t* lo) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      v.As<Napi::Float64Array>().ElementLength() != n) {
    throw Napi::TypeError::New(info.Env(), std::string("keel native ") + fn + ": attrs must be a Float64Array of " + std::to_string(n));
  }
  Napi::Float64Array a = v.As<Napi::Float64Array>();
  for (size_t d = 0; d < n; d++) {
    double x = a[d];
    if (!(x >= static_cast<double>(lo[d]) && x <= 4294967296.0) || std::floor(x) != x)
      throw Napi::RangeError::New(info.Env(), std::string("keel native ") + fn + ": attr " + std::to_string(d) + " is out of range");
    out[d] = static_cast<int64_t>(x);
  }
}

/** Throws unless the product of the values is below 2^53. */
inline double product(const Napi::CallbackInfo& info, std::initializer_list<int64_t> xs, const char* fn) {
  double p = 1;
  for (int64_t x : xs) p *= static_cast<double>(x);
  if (!(p < 9007199254740992.0))
    throw Napi::RangeError::New(info.Env(), std::string("keel native ") + fn + ": sizes are too large");
  return p;
}

/** Argument i as a Float32Array of exactly n elements, or null when it is null and optional. */
inline float* slot_arg(const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name, double n, bool optional) {
  if (optional && info[i].IsNull()) return nullptr;
  F32 a = f32_arg(info, i, fn, name);
  if (a.length != n) throw Napi::RangeError::New(info.Env(), std::string("keel native ") + fn + ": " + name + " differs in length from the variable");
  return a.data;
}

/** A function the addon exports, added by a *_napi.cc file with KEEL_NAPI_EXPORT. */
struct Export {
  const char* name;
  Napi::Value (*fn)(const Napi::CallbackInfo&);
};

/** Every KEEL_NAPI_EXPORT of every translation unit (defined in addon.cc; filled before Init runs). */
std::vector<Export>& exports_list();

struct Registration {
  Registration(const char* name, Napi::Value (*fn)(const Napi::CallbackInfo&)) {
    exports_list().push_back({name, fn});
  }
};

}  // namespace napi
}  // namespace keel

#define KEEL_NAPI_CAT2(a, b) a##b
#define KEEL_NAPI_CAT(a, b) KEEL_NAPI_CAT2(a, b)

/** Exports fn to JavaScript as `name` (a kernel area's *_napi.cc registers its own functions);
 * fn may be a template instance such as Conv2D<0>. */
#define KEEL_NAPI_EXPORT(name, fn) \
  static const ::keel::napi::Registration KEEL_NAPI_CAT(keel_napi_export_, __COUNTER__)(name, fn)
