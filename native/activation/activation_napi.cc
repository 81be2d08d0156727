// Node-API entry points of the fused activation kernels; every length is checked again here.
#include "../napi_args.h"
#include "gelu.h"

namespace {

using namespace keel::napi;

// geluTanh(x, y): y as long as x.
Napi::Value GeluTanh(const Napi::CallbackInfo& info) {
  const char* fn = "geluTanh";
  check_args(info, 2, fn);
  F32 x = f32_arg(info, 0, fn, "x"), y = f32_arg(info, 1, fn, "y");
  check_len(info, y, x.length, fn, "y");
  keel::gelu_tanh(x.data, y.data, static_cast<int64_t>(x.length));
  return info.Env().Undefined();
}

// geluTanhBackward(dy, x, dx): all three of the same length.
Napi::Value GeluTanhBackward(const Napi::CallbackInfo& info) {
  const char* fn = "geluTanhBackward";
  check_args(info, 3, fn);
  F32 dy = f32_arg(info, 0, fn, "dy"), x = f32_arg(info, 1, fn, "x"), dx = f32_arg(info, 2, fn, "dx");
  check_len(info, dy, x.length, fn, "dy");
  check_len(info, dx, x.length, fn, "dx");
  keel::gelu_tanh_backward(dy.data, x.data, dx.data, static_cast<int64_t>(x.length));
  return info.Env().Undefined();
}

}  // namespace

KEEL_NAPI_EXPORT("geluTanh", GeluTanh);
KEEL_NAPI_EXPORT("geluTanhBackward", GeluTanhBackward);
