// Node-API entry points of the fused attention kernels. Every argument is checked again here:
// the sizes against each array's length and every bias index against the bias's matrices.
#include <string>

#include "../napi_args.h"
#include "attention.h"

namespace {

using namespace keel::napi;

/** attrs [H, Tq, Tk, D, Dv, headsPerStep], scale, causal, then the q, k, v (and bias) lengths checked. */
keel::AttentionArgs attention_args(const Napi::CallbackInfo& info, const char* fn, size_t at) {
  int64_t d[6];
  const int64_t lo[6] = {0, 0, 1, 0, 0, 1};
  dims_arg(info, at, fn, 6, d, lo);
  keel::AttentionArgs a{};
  a.H = d[0], a.Tq = d[1], a.Tk = d[2], a.D = d[3], a.Dv = d[4], a.n = d[5];
  if (a.H % a.n != 0)
    throw Napi::RangeError::New(info.Env(), std::string("keel native ") + fn +
                                                ": headsPerStep must divide the number of heads");
  a.scale = static_cast<float>(num_arg(info, at + 1, fn, "scale"));
  a.causal = bool_arg(info, at + 2, fn, "causal");
  F32 q = f32_arg(info, 0, fn, "q"), k = f32_arg(info, 1, fn, "k"), v = f32_arg(info, 2, fn, "v");
  check_len(info, q, product(info, {a.H, a.Tq, a.D}, fn), fn, "q");
  check_len(info, k, product(info, {a.H, a.Tk, a.D}, fn), fn, "k");
  check_len(info, v, product(info, {a.H, a.Tk, a.Dv}, fn), fn, "v");
  a.q = q.data, a.k = k.data, a.v = v.data;
  if (info[3].IsNull() != info[4].IsNull())
    throw Napi::TypeError::New(info.Env(), std::string("keel native ") + fn +
                                               ": bias and biasIndex must both be given or both null");
  if (info[3].IsNull()) return a;
  F32 bias = f32_arg(info, 3, fn, "bias");
  Napi::Value iv = info[4];
  if (!iv.IsTypedArray() || iv.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      static_cast<int64_t>(iv.As<Napi::Int32Array>().ElementLength()) != a.H)
    throw Napi::TypeError::New(info.Env(), std::string("keel native ") + fn +
                                               ": biasIndex must be an Int32Array with one entry per head");
  Napi::Int32Array index = iv.As<Napi::Int32Array>();
  const double matrix = product(info, {a.Tq, a.Tk}, fn);
  for (int64_t h = 0; h < a.H; h++) {
    const double need = (static_cast<double>(index[h]) + 1) * matrix;
    if (index[h] < 0 || !(need <= bias.length))
      throw Napi::RangeError::New(info.Env(), std::string("keel native ") + fn + ": biasIndex[" +
                                                  std::to_string(h) + "] is outside the bias");
  }
  a.bias = bias.data;
  a.bias_index = index.Data();
  return a;
}

// scaledDotProductAttention(q, k, v, bias | null, biasIndex | null, out, lse, attrs, scale, causal)
Napi::Value Forward(const Napi::CallbackInfo& info) {
  const char* fn = "scaledDotProductAttention";
  check_args(info, 10, fn);
  keel::AttentionArgs a = attention_args(info, fn, 7);
  F32 out = f32_arg(info, 5, fn, "out"), lse = f32_arg(info, 6, fn, "lse");
  check_len(info, out, product(info, {a.H, a.Tq, a.Dv}, fn), fn, "out");
  check_len(info, lse, product(info, {a.H, a.Tq}, fn), fn, "lse");
  keel::attention_forward(a, out.data, lse.data);
  return info.Env().Undefined();
}

// scaledDotProductAttentionBackward(q, k, v, bias | null, biasIndex | null, dout, out, lse,
//                                   dq, dk, dv, attrs, scale, causal)
Napi::Value Backward(const Napi::CallbackInfo& info) {
  const char* fn = "scaledDotProductAttentionBackward";
  check_args(info, 14, fn);
  keel::AttentionArgs a = attention_args(info, fn, 11);
  F32 dout = f32_arg(info, 5, fn, "dout"), out = f32_arg(info, 6, fn, "out"),
      lse = f32_arg(info, 7, fn, "lse"), dq = f32_arg(info, 8, fn, "dq"),
      dk = f32_arg(info, 9, fn, "dk"), dv = f32_arg(info, 10, fn, "dv");
  const double outLen = product(info, {a.H, a.Tq, a.Dv}, fn);
  check_len(info, dout, outLen, fn, "dout");
  check_len(info, out, outLen, fn, "out");
  check_len(info, lse, product(info, {a.H, a.Tq}, fn), fn, "lse");
  check_len(info, dq, product(info, {a.H, a.Tq, a.D}, fn), fn, "dq");
  check_len(info, dk, product(info, {a.H, a.Tk, a.D}, fn), fn, "dk");
  check_len(info, dv, product(info, {a.H, a.Tk, a.Dv}, fn), fn, "dv");
  keel::attention_backward(a, dout.data, out.data, lse.data, dq.data, dk.data, dv.data);
  return info.Env().Undefined();
}

}  // namespace

KEEL_NAPI_EXPORT("scaledDotProductAttention", Forward);
KEEL_NAPI_EXPORT("scaledDotProductAttentionBackward", Backward);
