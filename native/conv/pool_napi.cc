// Node-API entry points of max and average pooling, forward and backward; every argument is
// checked again here (napi_args.h), so no call can read or write out of bounds.
#include "../napi_attrs.h"
#include "window.h"

namespace {

using namespace keel::napi;

KEEL_NAPI_ATTRS(pool2d, keel::Pool2DGeom, KEEL_POOL2D_ATTRS)

/** Pooling: Kind 0 maxPool2d(x, y, attrs), 1 maxPool2dBackward(dy, x, y, dx, attrs),
 * 2 avgPool2d(x, y, attrs), 3 avgPool2dBackward(dy, dx, attrs). */
template <int Kind>
Napi::Value Pool2D(const Napi::CallbackInfo& info) {
  const char* fn = Kind == 0 ? "maxPool2d" : Kind == 1 ? "maxPool2dBackward" : Kind == 2 ? "avgPool2d" : "avgPool2dBackward";
  const size_t arrays = Kind == 1 ? 4 : 2;
  check_args(info, arrays + 1, fn);
  F32 t[4];
  for (size_t i = 0; i < arrays; i++) t[i] = f32_arg(info, i, fn, "argument");
  const keel::Pool2DGeom a = pool2d_attrs(info, arrays, fn);
  const double xs = product(info, {a.batch, a.inH, a.inW, a.channels}, fn);
  const double ys = product(info, {a.batch, a.outH, a.outW, a.channels}, fn);
  product(info, {a.batch, a.outH, a.outW, a.poolH, a.poolW}, fn);
  if (Kind == 0 || Kind == 2) {
    check_len(info, t[0], xs, fn, "x"), check_len(info, t[1], ys, fn, "y");
    if (Kind == 0) keel::max_pool2d(t[0].data, t[1].data, a);
    else keel::avg_pool2d(t[0].data, t[1].data, a);
  } else if (Kind == 1) {
    check_len(info, t[0], ys, fn, "dy"), check_len(info, t[1], xs, fn, "x");
    check_len(info, t[2], ys, fn, "y"), check_len(info, t[3], xs, fn, "dx");
    keel::max_pool2d_backward(t[0].data, t[1].data, t[2].data, t[3].data, a);
  } else {
    check_len(info, t[0], ys, fn, "dy"), check_len(info, t[1], xs, fn, "dx");
    keel::avg_pool2d_backward(t[0].data, t[1].data, a);
  }
  return info.Env().Undefined();
}

}  // namespace

KEEL_NAPI_EXPORT("maxPool2d", Pool2D<0>);
KEEL_NAPI_EXPORT("maxPool2dBackward", Pool2D<1>);
KEEL_NAPI_EXPORT("avgPool2d", Pool2D<2>);
KEEL_NAPI_EXPORT("avgPool2dBackward", Pool2D<3>);
