// Op codes of the elementwise kernels, shared by every ISA. The JavaScript side reads the names
// from the addon (unaryOps / binaryOps / reduceOps), so the order here is the only definition.
#pragma once

#define KEEL_UNARY_OPS(X)                                                                    \
  X(neg) X(abs) X(sign) X(exp) X(log) X(log1p) X(expm1) X(sqrt) X(rsqrt) X(square)           \
  X(reciprocal) X(sin) X(cos) X(tanh) X(sigmoid) X(softplus) X(relu6) X(clip) X(silu)        \
  X(geluTanh) X(relu) X(step) X(leakyRelu) X(elu) X(erf) X(gelu) X(floor) X(ceil) X(round)

#define KEEL_BINARY_OPS(X)                                                                   \
  X(left) X(add) X(sub) X(mul) X(div) X(maximum) X(minimum) X(squaredDifference) X(pow)      \
  X(floorDiv) X(mod) X(atan2)

#define KEEL_REDUCE_OPS(X) X(sum) X(max) X(min) X(prod)

namespace keel {
#define KEEL_ENUM(name) name,
enum class UnaryOp { KEEL_UNARY_OPS(KEEL_ENUM) count };
enum class BinaryOp { KEEL_BINARY_OPS(KEEL_ENUM) count };
enum class ReduceOp { KEEL_REDUCE_OPS(KEEL_ENUM) count };
#undef KEEL_ENUM
}  // namespace keel
