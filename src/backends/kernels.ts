/**
 * The kernel contract: every kernel's name, its inputs, its outputs and its attributes, on one page.
 *
 * Ops call `runKernel(name, inputs, outputs, attrs)` and backends `registerKernel(name, backend,
 * fn)`, both keyed by `KernelSpecs`, so a misspelt kernel name or a wrong attribute is a compile
 * error. A kernel reads its inputs' storage and writes into outputs the op has allocated (shape and
 * dtype inference belong to the op). No backend owns this page: the TypeScript backend implements
 * every kernel (test/backends/kernels.test.ts checks it), other backends any subset.
 *
 * Attributes that cross into C++ as one Float64Array (the window geometries, the recurrent sizes)
 * are laid out by the `*_FIELDS` lists below; the addon exports its own lists (`attrLayouts`) and
 * the native backend refuses to load when they differ (src/backends/native/binding.ts).
 */
import type { Tensor } from '../tensor/tensor.js';
import type { BINARY_LOOPS } from './ts/kernels/binary.js';
import type { UNARY_LOOPS } from './ts/kernels/unary.js';

// ---- Op ids of the generic kernels and shared constants ----

/**
 * The elementwise op ids of the 'unary' kernel: exactly the ops the reference implements (its
 * table of loops in ts/kernels/unary.ts is the definition; a new op is one entry there), plus
 * 'cast', which converts between the input's and the output's dtypes.
 */
export type UnaryOp = keyof typeof UNARY_LOOPS | 'cast';
/** The op ids of the broadcasting 'binary' kernel ('left' copies a: broadcastTo uses it). */
export type BinaryOp = keyof typeof BINARY_LOOPS;
/** Reductions over the middle axis of an [outer, reduced, inner] view. */
export type ReduceOp = 'sum' | 'max' | 'min' | 'prod' | 'argmax' | 'argmin';

/** The activations a fused kernel applies; the index is the code the kernels take. */
export const FUSED_ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'] as const;
/** An activation a fused kernel can apply. */
export type FusedActivation = (typeof FUSED_ACTIVATIONS)[number];

/** Activations the fused recurrent kernels compute; each derivative is a function of the output. */
/**
 * The activations the fused recurrent kernels support, by code (the index). 'hard_sigmoid' is
 * Keras 3's relu6(x + 3) / 6; 'tfjs_hard_sigmoid' is TensorFlow.js's and Keras 2's
 * clip(0.2·x + 0.5, 0, 1), the default recurrent activation of tfjs's LSTM and GRU.
 */
export const RNN_ACTIVATIONS = [
  'tanh',
  'sigmoid',
  'relu',
  'linear',
  'hard_sigmoid',
  'tfjs_hard_sigmoid',
] as const;
export type RnnActivation = (typeof RNN_ACTIVATIONS)[number];

/** A large negative logit for masked positions (Keras's float32 value): exp gives exactly 0. */
export const MASKED_LOGIT = -1e9;

/** How `pad` fills: a constant, or the edge reflected without or with the edge value. */
export type PadMode = 'constant' | 'reflect' | 'symmetric';

// ---- Attributes ----

/** A kernel that takes no attributes. */
export type NoAttrs = Record<string, never>;

export interface UnaryAttrs {
  op: UnaryOp;
  /** leakyRelu/elu slope, or the lower bound of 'clip'. */
  alpha?: number;
  /** The upper bound of 'clip'. */
  beta?: number;
}

export interface BinaryAttrs {
  op: BinaryOp;
}

/** The input viewed as [outer, reduced, inner]; the output is [outer, inner]. */
export interface ReduceAttrs {
  op: ReduceOp;
  outer: number;
  reduced: number;
  inner: number;
}

/** y = x with axes permuted: y.shape[i] = x.shape[perm[i]]. */
export interface TransposeAttrs {
  perm: readonly number[];
}

/**
 * C[b] = op(A[b]) @ op(B[b]) for b < batch, op = transpose when the flag is set.
 * A is [M, K] (or [K, M] when transposeA), B is [K, N] (or [N, K]); a batch stride of 0 reuses one
 * matrix for every batch entry (x @ W).
 */
export interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  batch: number;
  M: number;
  N: number;
  K: number;
  aBatchStride: number;
  bBatchStride: number;
}

/** y = x[begin[0] : begin[0] + y.shape[0], ...]; the op has checked the bounds. */
export interface SliceAttrs {
  begin: readonly number[];
}

/** y = the inputs joined along `axis` (normalised); the op has checked the other dims agree. */
export interface ConcatAttrs {
  axis: number;
}

/**
 * x viewed as [outer, axisSize, inner], indices (int32, checked in range by the op) flattened to
 * [m]: y[o, j, i] = x[o, indices[j], i], y viewed as [outer, m, inner].
 */
export interface GatherAttrs {
  outer: number;
  axisSize: number;
  inner: number;
}

/** y [numSegments, inner] (zeroed by the op) = sums of the data rows with each segment id. */
export interface UnsortedSegmentSumAttrs {
  numSegments: number;
}

/**
 * y = x with paddings[d] = [before, after] elements added around each axis d: `constantValue`
 * ('constant'), a mirror excluding the edge ('reflect': 3 2 | 1 2 3 | 2 1) or including it
 * ('symmetric': 2 1 | 1 2 3 | 3 2). The op has checked that mirrored paddings fit the axis.
 */
export interface PadAttrs {
  paddings: readonly (readonly [number, number])[];
  constantValue: number;
  mode: PadMode;
}

/** y[..., k] = onValue where indices[...] = k, else offValue; an index outside [0, depth) gives an all-off row. */
export interface OneHotAttrs {
  depth: number;
  onValue: number;
  offValue: number;
}

/** y = x repeated reps[d] times along each axis d: y[i] = x[i mod x.shape]. */
export interface TileAttrs {
  reps: readonly number[];
}

/** y = x with the order of elements along each of `axes` (normalised, >= 0) reversed. */
export interface ReverseAttrs {
  axes: readonly number[];
}

/** The input viewed as [outer, axis, inner]; softmax runs along the middle axis. */
export interface SoftmaxAttrs {
  outer: number;
  axis: number;
  inner: number;
}

/** Logits viewed as [rows, classes]; the classes are the last axis. */
export interface SoftmaxCrossEntropyAttrs {
  rows: number;
  classes: number;
}

export interface SgdUpdateAttrs {
  learningRate: number;
  /** 0 for plain SGD (then there is no momentum slot). */
  momentum: number;
  nesterov: boolean;
  /** Decoupled weight decay factor (learningRate · weightDecay): w -= decay · w first. */
  decay: number;
}

export interface AdamUpdateAttrs {
  /** lr · sqrt(1 - beta2^t) / (1 - beta1^t), t the 1-based step. */
  alpha: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  amsgrad: boolean;
  /** Decoupled weight decay factor (learningRate · weightDecay): w -= decay · w first. */
  decay: number;
  /** The gradient is used as g · gradScale (global-norm clipping without a scaled copy); default 1. */
  gradScale?: number;
}

export interface RmspropUpdateAttrs {
  learningRate: number;
  rho: number;
  /** 0 for no momentum (then there is no momentum slot). */
  momentum: number;
  epsilon: number;
  centered: boolean;
  /** Decoupled weight decay factor (learningRate · weightDecay): w -= decay · w first. */
  decay: number;
}

/**
 * The geometry of the convolution kernels, computed once by the op so that every backend reads the
 * same numbers. Layout is NHWC: x [batch, inH, inW, inC], filter [filterH, filterW, inC, outC].
 * Output cell (oh, ow) reads input rows oh*strideH - padTop + i*dilationH for i < filterH (same
 * for columns); cells outside the input are padding.
 */
export interface Conv2DAttrs {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padLeft: number;
}

/** Pooling windows: like Conv2DAttrs with one channel count, no filter and no dilation. */
export interface Pool2DAttrs {
  batch: number;
  inH: number;
  inW: number;
  channels: number;
  outH: number;
  outW: number;
  poolH: number;
  poolW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

/** x [rows, channels] (+ bias [channels]) through activation FUSED_ACTIVATIONS[activation]. */
export interface BiasActivationAttrs {
  rows: number;
  channels: number;
  activation: number;
}

/** A convolution with bias and activation FUSED_ACTIVATIONS[activation] applied in the kernel. */
export type FusedConv2DAttrs = Conv2DAttrs & { activation: number };

/** x [M, K] @ kernel [K, N] (+ bias [N]) through activation FUSED_ACTIVATIONS[activation]. */
export interface FusedDenseAttrs {
  M: number;
  K: number;
  N: number;
  activation: number;
}

/**
 * The integer matrix product of quantized inference (issue 12): x [M, K] uint8 or int8 with one
 * zero point, w [K, N] int8 (symmetric: no zero point), bias int32 [N] when inputs[2] is given.
 * Accumulators are int32 and wrap modulo 2^32 (two's complement), so the order of the sum
 * does not matter:
 *   acc[i, j] = bias[j] + Σ_k (x[i, k] - xZeroPoint) · w[k, j]
 * An int32 output receives acc itself (outputScale null). A uint8 or int8 output is requantized
 * with float32 arithmetic (as ONNX Runtime's MLAS), s = outputScale[j] (or [0] when it has one
 * value), f32 = round to nearest float32, ties to even:
 *   v = f32(f32(acc) · s)
 *   y = clamp(roundHalfEven(v) + outputZeroPoint, lo, hi)
 * with [lo, hi] the output dtype's range and, when relu, lo = max(lo, outputZeroPoint). The
 * caller folds the scales into s = xScale · wScale[j] / yScale.
 *
 * A float32 output dequantizes instead (dynamic quantized Dense): there the bias, when given, is
 * float32 [N] (b[j], 0 without one) and is not part of acc, s = outputScale[j] (or [0]) is
 * xScale · wScale[j], and each step is one float32 operation in this order (no fused
 * multiply-add; outputZeroPoint is 0):
 *   y = f32(f32(f32(acc) · s) + b[j]),  then when relu: y = y > 0 ? y : 0
 */
/**
 * y [M, N] = x [M, K] · W [K, N] (+ bias [N]) with W given sparse: CSR over W's columns
 * (rowPtr int32 [N + 1], colIdx int32 [nnz] input indices in [0, K), values float32 [nnz]).
 * Each output is computed in float32 in a fixed order: unit j's q-th entry (q = p - rowPtr[j],
 * CSR order) is multiplied, f32(values[p]·x[i, colIdx[p]]), and added into lane q % 8; lanes
 * l and l + 4 are added, then l and l + 2, then 0 and 1, then bias[j] (each sum rounded to float32,
 * never a fused multiply-add); relu
 * clamps at 0. So every backend gives the same bits whatever its FMA contraction.
 */
export interface SparseDenseAttrs {
  M: number;
  K: number;
  N: number;
  relu: boolean;
}

export interface QuantizedMatMulAttrs {
  M: number;
  K: number;
  N: number;
  /** In x's range: [0, 255] for uint8, [-128, 127] for int8. */
  xZeroPoint: number;
  /** Finite float32 scales (1 or N of them); null for the int32 accumulator output. */
  outputScale: Float32Array | null;
  /** In the output dtype's range (0 when outputScale is null or the output is float32). */
  outputZeroPoint: number;
  relu: boolean;
}

/**
 * Dynamic per-tensor quantization of x (float32, n elements) to q (uint8, n) in one kernel, with
 * PyTorch's rule. lo, hi = the min and max of x widened to include 0 (lo = min(min x, 0),
 * hi = max(max x, 0)); in double arithmetic, f32 = round to float32:
 *   scale = f32(hi > lo ? (hi - lo) / 255 : 1)
 *   zeroPoint = clamp(roundHalfEven(-lo / scale), 0, 255)
 *   q = roundHalfEven(clamp(f32(x / scale), -zeroPoint, 255 - zeroPoint)) + zeroPoint
 * params (float32 [2]) receives [scale, zeroPoint]. When x holds NaN or ±Infinity, params is
 * [NaN, NaN] and q is left as it was.
 */
export interface QuantizeUint8Attrs {
  size: number;
}

/**
 * The quantized 2-D convolution (issue 12, static int8): x [batch, inH, inW, inC] uint8 or int8
 * with one zero point, filter [filterH, filterW, inC, outC] int8, bias int32 [outC] when
 * inputs[2] is given, NHWC output. It is exactly quantizedMatMul (QuantizedMatMulAttrs: the
 * same accumulators, requantization, dequantization and relu) applied to the im2col rows of x
 * (one row per output pixel, filter order (fh, fw, inC)) with M = batch·outH·outW,
 * K = filterH·filterW·inC, N = outC, where a tap that falls in the padding reads xZeroPoint
 * (a real 0), and the filter viewed as [K, N].
 */
export interface QuantizedConv2DAttrs extends Conv2DAttrs {
  xZeroPoint: number;
  outputScale: Float32Array | null;
  outputZeroPoint: number;
  relu: boolean;
}

/**
 * A quantized convolution requantized to uint8 and the max pooling of its output in one kernel
 * (issue 12; inference plans fuse the two steps): y = maxPool2d(pool, quantizedConv2d(x,
 * filter, bias)) exactly, where pool's input is the convolution's output [batch, outH, outW,
 * outC]; y is uint8 [batch, pool.outH, pool.outW, outC].
 */
export interface QuantizedConv2DMaxPoolAttrs extends QuantizedConv2DAttrs {
  pool: Pool2DAttrs;
}

/**
 * Static per-tensor quantization of x (float32, n elements) to q (uint8, n) with a given scale
 * and zero point (calibrated ahead of time), the second pass of QuantizeUint8Attrs's rule:
 *   v = f32(x / scale); q = roundHalfEven(clamp(v, -zeroPoint, 255 - zeroPoint)) + zeroPoint
 * where clamp sends NaN to the lower bound (q = 0).
 */
export interface QuantizeLinearAttrs {
  size: number;
  scale: number;
  zeroPoint: number;
}

/** x viewed as [rows, features]; normalization runs over each row. */
export interface LayerNormAttrs {
  rows: number;
  features: number;
  epsilon: number;
  /** Whether inputs[1] is gamma (scale) and inputs[2] (or [1]) is beta (center). */
  hasGamma: boolean;
  hasBeta: boolean;
}

/** Attention over `heads` independent [T, D] problems (the op folds the leading axes). */
export interface AttentionAttrs {
  heads: number;
  queries: number;
  keys: number;
  depth: number;
  valueDepth: number;
  /** Multiplies q·k. */
  scale: number;
  /** Query i sees keys j <= i + keys - queries; the others get MASKED_LOGIT instead of the bias. */
  causal: boolean;
  /**
   * Heads stored side by side at each step: 1 when q is [heads, Tq, D] (each head contiguous); n
   * when q is [heads / n, Tq, n, D], the layout projections produce (likewise k, v, out and the
   * gradients; lse is always [heads, Tq]).
   */
  headsPerStep: number;
  /** When the bias input is present: for each head, which [queries, keys] matrix of it is added. */
  biasIndex: Int32Array | null;
}

/** Shapes of a recurrent kernel call: x [batch, steps, inDim], `gates` columns per step. */
export interface RnnDims {
  batch: number;
  steps: number;
  inDim: number;
  units: number;
  goBackwards: boolean;
  /** Indices into RNN_ACTIVATIONS. */
  activation: number;
  recurrentActivation: number;
}

/**
 * The dynamically quantized LSTM's time loop (issue 12, inference only; PyTorch's dynamic
 * quantized LSTM). Inputs: x [b, T, in] float32, kernel [in, 4u] int8 with kernelScale [4u]
 * float32, recurrentKernel [u, 4u] int8 with recurrentScale [4u], bias [4u], h0 and c0 [b, u],
 * mask [b, T] (1 = valid step). Outputs: y [b, T + 2, u] as the lstm kernel's (step outputs in
 * processing order, then the last h and c) and params [2]: x's uint8 scale and zero point (NaN
 * when x holds NaN or ±Infinity; y is then unspecified). The integer parts are exact:
 *   x is quantized once over all its elements (QuantizeUint8Attrs): xq, xs, xz;
 *   P = quantizedMatMul(xq, kernel) dequantized with scales f32(xs · kernelScale[j]), no bias;
 *   each step quantizes each batch row of the carried h [b, u] the same way, over that row's own
 *   range (hq[b], hs[b], hz[b]: finer than PyTorch's one range per step, and rows never
 *   interact, so a sample's output does not depend on its batchmates and threads run rows
 *   without a barrier per step), and adds R[b] = quantizedMatMul(hq[b], recurrentKernel)
 *   dequantized with f32(hs[b] · recurrentScale[j]);
 * then z = R + (P_t + bias) and the gates are the float32 lstm's (i, f, c, o), whose
 * transcendental functions differ between backends by a few ulps (compare with a tolerance).
 */
export type QuantizedLstmAttrs = RnnDims;

// ---- Attribute layouts that cross into C++ as one Float64Array ----

/** Conv2DAttrs in the order the native conv kernels unpack them (native/conv/window.h). */
export const CONV2D_FIELDS = [
  'batch',
  'inH',
  'inW',
  'inC',
  'outH',
  'outW',
  'outC',
  'filterH',
  'filterW',
  'strideH',
  'strideW',
  'dilationH',
  'dilationW',
  'padTop',
  'padLeft',
] as const satisfies readonly (keyof Conv2DAttrs)[];

/** Pool2DAttrs in the order the native pooling kernels unpack them (native/conv/window.h). */
export const POOL2D_FIELDS = [
  'batch',
  'inH',
  'inW',
  'channels',
  'outH',
  'outW',
  'poolH',
  'poolW',
  'strideH',
  'strideW',
  'padTop',
  'padLeft',
] as const satisfies readonly (keyof Pool2DAttrs)[];

/** RnnDims in the order the native recurrent kernels unpack them (native/rnn/rnn.h). */
export const RNN_FIELDS = [
  'batch',
  'steps',
  'inDim',
  'units',
  'goBackwards',
  'activation',
  'recurrentActivation',
] as const satisfies readonly (keyof RnnDims)[];

/** Packs `attrs` into a Float64Array in the order of `fields` (booleans become 0/1). */
export function packAttrs<A extends object>(attrs: A, fields: readonly (keyof A)[]): Float64Array {
  const out = new Float64Array(fields.length);
  for (let i = 0; i < fields.length; i++) out[i] = Number(attrs[fields[i]!]);
  return out;
}

// ---- The kernels ----

type T = Tensor;

/** One kernel's signature: labelled input and output tensors, and its attributes. */
interface Spec<I extends readonly T[], O extends readonly T[], A> {
  inputs: I;
  outputs: O;
  attrs: A;
}

type Unary<A> = Spec<readonly [x: T], readonly [y: T], A>;
type Recurrent = Spec<
  readonly [x: T, kernel: T, recurrentKernel: T, bias: T, ...statesMaskRecurrentMask: T[]],
  readonly [packed: T, ...saved: T[]],
  RnnDims
>;
type RecurrentBackward = Spec<
  readonly [dy: T, x: T, kernel: T, recurrentKernel: T, bias: T, ...savedMaskRecurrentMask: T[]],
  readonly [dx: T, dKernel: T, dRecurrentKernel: T, dBias: T, ...dStates: T[]],
  RnnDims
>;

/**
 * Every kernel, by name. Optional tensors come last, as a rest element (`...bias`): the attrs or
 * the tensor count say whether they are there.
 */
export interface KernelSpecs {
  // Elementwise and reductions
  unary: Unary<UnaryAttrs>;
  binary: Spec<readonly [a: T, b: T], readonly [y: T], BinaryAttrs>;
  reduce: Unary<ReduceAttrs>;
  geluTanh: Unary<NoAttrs>;
  geluTanhBackward: Spec<readonly [dy: T, x: T], readonly [dx: T], NoAttrs>;
  // Data movement
  broadcastTo: Unary<NoAttrs>;
  transpose: Unary<TransposeAttrs>;
  slice: Unary<SliceAttrs>;
  concat: Spec<readonly T[], readonly [y: T], ConcatAttrs>;
  pad: Unary<PadAttrs>;
  tile: Unary<TileAttrs>;
  reverse: Unary<ReverseAttrs>;
  where: Spec<readonly [condition: T, a: T, b: T], readonly [y: T], NoAttrs>;
  gather: Spec<readonly [x: T, indices: T], readonly [y: T], GatherAttrs>;
  unsortedSegmentSum: Spec<
    readonly [data: T, segmentIds: T],
    readonly [y: T],
    UnsortedSegmentSumAttrs
  >;
  oneHot: Spec<readonly [indices: T], readonly [y: T], OneHotAttrs>;
  // Linear algebra and fused layers
  matMul: Spec<readonly [a: T, b: T], readonly [c: T], MatMulAttrs>;
  fusedDense: Spec<readonly [x: T, kernel: T, ...bias: T[]], readonly [y: T], FusedDenseAttrs>;
  biasActivation: Spec<readonly [x: T, ...bias: T[]], readonly [y: T], BiasActivationAttrs>;
  quantizedMatMul: Spec<readonly [x: T, w: T, ...bias: T[]], readonly [y: T], QuantizedMatMulAttrs>;
  sparseDense: Spec<
    readonly [x: T, rowPtr: T, colIdx: T, values: T, ...bias: T[]],
    readonly [y: T],
    SparseDenseAttrs
  >;
  quantizeUint8: Spec<readonly [x: T], readonly [q: T, params: T], QuantizeUint8Attrs>;
  quantizeLinear: Spec<readonly [x: T], readonly [q: T], QuantizeLinearAttrs>;
  quantizedConv2d: Spec<
    readonly [x: T, filter: T, ...bias: T[]],
    readonly [y: T],
    QuantizedConv2DAttrs
  >;
  quantizedConv2dMaxPool: Spec<
    readonly [x: T, filter: T, ...bias: T[]],
    readonly [y: T],
    QuantizedConv2DMaxPoolAttrs
  >;
  activationGrad: Spec<readonly [dy: T, y: T], readonly [dz: T], BiasActivationAttrs>;
  // Softmax and losses
  softmax: Unary<SoftmaxAttrs>;
  logSoftmax: Unary<SoftmaxAttrs>;
  softmaxBackward: Spec<readonly [dy: T, y: T], readonly [dx: T], SoftmaxAttrs>;
  logSoftmaxBackward: Spec<readonly [dy: T, y: T], readonly [dx: T], SoftmaxAttrs>;
  softmaxCrossEntropy: Spec<
    readonly [logits: T, targets: T],
    readonly [loss: T, grad: T],
    SoftmaxCrossEntropyAttrs
  >;
  sparseSoftmaxCrossEntropy: Spec<
    readonly [logits: T, labels: T],
    readonly [loss: T, grad: T],
    SoftmaxCrossEntropyAttrs
  >;
  // Convolution and pooling (NHWC)
  conv2d: Spec<readonly [x: T, filter: T], readonly [y: T], Conv2DAttrs>;
  conv2dBackpropInput: Spec<readonly [dy: T, filter: T], readonly [dx: T], Conv2DAttrs>;
  conv2dBackpropFilter: Spec<readonly [x: T, dy: T], readonly [dFilter: T], Conv2DAttrs>;
  fusedConv2d: Spec<readonly [x: T, filter: T, ...bias: T[]], readonly [y: T], FusedConv2DAttrs>;
  /** Depthwise: filter [fh, fw, inC, multiplier], outC = inC·multiplier (channel c·m + k). */
  depthwiseConv2d: Spec<readonly [x: T, filter: T], readonly [y: T], Conv2DAttrs>;
  depthwiseConv2dBackpropInput: Spec<readonly [dy: T, filter: T], readonly [dx: T], Conv2DAttrs>;
  depthwiseConv2dBackpropFilter: Spec<readonly [x: T, dy: T], readonly [dFilter: T], Conv2DAttrs>;
  maxPool2d: Unary<Pool2DAttrs>;
  maxPool2dBackward: Spec<readonly [dy: T, x: T, y: T], readonly [dx: T], Pool2DAttrs>;
  avgPool2d: Unary<Pool2DAttrs>;
  avgPool2dBackward: Spec<readonly [dy: T], readonly [dx: T], Pool2DAttrs>;
  // Normalization and attention
  layerNorm: Spec<
    readonly [x: T, ...gammaBeta: T[]],
    readonly [y: T, mean: T, rstd: T],
    LayerNormAttrs
  >;
  layerNormBackward: Spec<
    readonly [dy: T, x: T, mean: T, rstd: T, ...gamma: T[]],
    readonly [dx: T, dGamma: T, dBeta: T],
    LayerNormAttrs
  >;
  scaledDotProductAttention: Spec<
    readonly [q: T, k: T, v: T, ...bias: T[]],
    readonly [out: T, lse: T],
    AttentionAttrs
  >;
  scaledDotProductAttentionBackward: Spec<
    readonly [dy: T, q: T, k: T, v: T, out: T, lse: T, ...bias: T[]],
    readonly [dq: T, dk: T, dv: T],
    AttentionAttrs
  >;
  // Recurrent layers: the whole time loop, and backpropagation through time
  lstm: Recurrent;
  quantizedLstm: Spec<
    readonly [
      x: T,
      kernel: T,
      kernelScale: T,
      recurrentKernel: T,
      recurrentScale: T,
      bias: T,
      h0: T,
      c0: T,
      mask: T,
    ],
    readonly [y: T, params: T],
    QuantizedLstmAttrs
  >;
  lstmBackward: RecurrentBackward;
  gru: Recurrent;
  gruBackward: RecurrentBackward;
  simpleRnn: Recurrent;
  simpleRnnBackward: RecurrentBackward;
  // Optimizer updates, in place: outputs are the variable and its slots
  sgdUpdate: Spec<readonly [grad: T], readonly [variable: T, ...slots: T[]], SgdUpdateAttrs>;
  adamUpdate: Spec<readonly [grad: T], readonly [variable: T, ...slots: T[]], AdamUpdateAttrs>;
  rmspropUpdate: Spec<
    readonly [grad: T],
    readonly [variable: T, ...slots: T[]],
    RmspropUpdateAttrs
  >;
}

export type KernelName = keyof KernelSpecs;
export type KernelInputs<K extends KernelName> = KernelSpecs[K]['inputs'];
export type KernelOutputs<K extends KernelName> = KernelSpecs[K]['outputs'];
export type KernelAttrs<K extends KernelName> = KernelSpecs[K]['attrs'];

/** A backend's implementation of kernel K: fills `outputs` from `inputs` and `attrs`. */
export type Kernel<K extends KernelName = KernelName> = (
  inputs: KernelInputs<K>,
  outputs: KernelOutputs<K>,
  attrs: KernelAttrs<K>,
) => void;
