import { Tensor } from '../../tensor/tensor.js';
import { permute } from './builder.js';
import {
  attr,
  channelsFirst,
  compose,
  intAttr,
  intsAttr,
  type NodeImporter,
} from './import-context.js';
import { gatherComputed } from './import-slice.js';
import type { OnnxNode } from './schema.js';

/** Gemm, or MatMul with a constant weight (and a constant Add after it, folded in as the bias). */
const dense: NodeImporter = (c, node) => {
  let kernel = c.constant(node.input[1], 'the weight matrix');
  if (kernel.rank !== 2) throw new Error(`the weight matrix must be 2-D, got [${kernel.shape}]`);
  let bias: Tensor | null = null;
  let output = node.output[0]!;
  if (node.opType === 'Gemm') {
    if (intAttr(node, 'transA', 0) !== 0) throw new Error('Gemm with transA=1 is not supported');
    if (intAttr(node, 'transB', 0) === 1) {
      const p = permute(kernel.data as Float32Array, kernel.shape, [1, 0]);
      kernel = new Tensor(p.data, p.shape, 'float32');
    }
    const alpha = (attr(node, 'alpha') as number | undefined) ?? 1;
    const beta = (attr(node, 'beta') as number | undefined) ?? 1;
    if (alpha !== 1)
      kernel = new Tensor(
        (kernel.data as Float32Array).map((v) => v * alpha),
        kernel.shape,
        'float32',
      );
    const cc = c.optionalConstant(node, 2);
    const units = kernel.shape[1]!;
    // C broadcasts to [batch, units]: one value, or one per unit ([units] or [1, units]).
    if (cc && !(cc.size === 1 || (cc.size === units && cc.shape[cc.rank - 1] === units)))
      throw new Error(
        `Gemm's bias C has shape [${cc.shape}], expected [${units}] or [1] for ${units} units`,
      );
    if (cc)
      bias = new Tensor(
        Float32Array.from(
          { length: kernel.shape[1]! },
          (_, i) => cc.data[cc.size === 1 ? 0 : i]! * beta,
        ),
        [kernel.shape[1]!],
        'float32',
      );
  } else {
    const add = c.onlyConsumer(output, 'Add');
    if (add !== null) {
      const other = c.nodes[add]!.input.find((n) => n !== output);
      const v = other ? c.values.get(other) : undefined;
      if (v?.kind === 'const' && v.tensor.size === kernel.shape[1]) {
        bias = new Tensor(Float32Array.from(v.tensor.data), [kernel.shape[1]!], 'float32');
        c.skip(add);
        output = c.nodes[add]!.output[0]!;
      }
    }
  }
  const x = c.realize(c.tensor(node.input[0]));
  const units = kernel.shape[1]!;
  const weights = bias ? [kernel, bias] : [kernel];
  c.set(output, {
    t: c.apply('Dense', { units, useBias: bias !== null }, [x], weights),
    perm: null,
  });
};

/** ONNX auto_pad/pads as Keras's 'valid', 'same' or 'causal'. */
/** The Keras padding of a Conv/Pool node: its auto_pad or pads as valid, same or causal. */
export function padding(
  node: OnnxNode,
  kernel: number[],
  strides: number[],
  dilations: number[],
): string {
  const auto = (attr(node, 'auto_pad') as string | undefined) ?? 'NOTSET';
  if (auto === 'SAME_UPPER') return 'same';
  if (auto === 'VALID') return 'valid';
  if (auto !== 'NOTSET') throw new Error(`auto_pad ${auto} is not supported`);
  const pads = intsAttr(node, 'pads', kernel.map(() => 0).concat(kernel.map(() => 0)));
  const n = kernel.length;
  if (pads.every((p) => p === 0)) return 'valid';
  const total = kernel.map((k, i) => (k - 1) * (dilations[i] ?? 1));
  if (n === 1 && pads[0] === total[0] && pads[1] === 0) return 'causal';
  const same =
    strides.every((s) => s === 1) &&
    total.every((t, i) => pads[i] === Math.floor(t / 2) && pads[i + n] === t - Math.floor(t / 2));
  if (same) return 'same';
  throw new Error(`pads [${pads}] match neither 'valid' nor 'same'`);
}

const conv: NodeImporter = (c, node) => {
  const x = c.tensor(node.input[0]);
  const w = c.constant(node.input[1], 'the kernel');
  const bias = c.optionalConstant(node, 2);
  const spatial = w.rank - 2;
  const r = spatial + 2;
  if (spatial !== 1 && spatial !== 2)
    throw new Error(`only 1-D and 2-D convolutions are supported, kernel [${w.shape}]`);
  if (x.t.shape.length !== r)
    throw new Error(`input rank ${x.t.shape.length} does not match a ${spatial}-D kernel`);
  if (intAttr(node, 'group', 1) !== 1) throw new Error('grouped convolutions are not supported');
  const kernelSize = w.shape.slice(2);
  const strides = intsAttr(
    node,
    'strides',
    kernelSize.map(() => 1),
  );
  const dilationRate = intsAttr(
    node,
    'dilations',
    kernelSize.map(() => 1),
  );
  const pad = padding(node, kernelSize, strides, dilationRate);
  // ONNX [out, in, ...k] → Keras [...k, in, out]
  const p = permute(w.data as Float32Array, w.shape, [
    ...Array.from({ length: spatial }, (_, i) => i + 2),
    1,
    0,
  ]);
  const weights = [new Tensor(p.data, p.shape, 'float32'), ...(bias ? [bias] : [])];
  const cls = spatial === 2 ? 'Conv2D' : 'Conv1D';
  const y = c.apply(
    cls,
    {
      filters: w.shape[0],
      kernelSize,
      strides,
      dilationRate,
      padding: pad,
      useBias: bias !== null,
    },
    [c.inLayout(x, channelsFirst(r))],
    weights,
  );
  c.set(node.output[0]!, { t: y, perm: channelsFirst(r) });
};

const pool: NodeImporter = (c, node) => {
  const x = c.tensor(node.input[0]);
  const r = x.t.shape.length;
  if (r !== 4) throw new Error(`only 2-D pooling is supported, input rank ${r}`);
  const poolSize = intsAttr(node, 'kernel_shape', []);
  const strides = intsAttr(
    node,
    'strides',
    poolSize.map(() => 1),
  );
  if (intAttr(node, 'ceil_mode', 0) !== 0) throw new Error('ceil_mode=1 is not supported');
  if (
    node.opType === 'AveragePool' &&
    intAttr(node, 'count_include_pad', 0) !== 0 &&
    padding(node, poolSize, strides, []) === 'same'
  )
    throw new Error("count_include_pad=1 differs from Keras's 'same' average pooling");
  const pad = padding(node, poolSize, strides, []);
  const cls = node.opType === 'MaxPool' ? 'MaxPooling2D' : 'AveragePooling2D';
  const y = c.apply(cls, { poolSize, strides, padding: pad }, [c.inLayout(x, channelsFirst(r))]);
  c.set(node.output[0]!, { t: y, perm: channelsFirst(r) });
};

const globalPool: NodeImporter = (c, node) => {
  const x = c.tensor(node.input[0]);
  const r = x.t.shape.length;
  if (r !== 4) throw new Error(`${node.opType} is supported on 4-D inputs, got rank ${r}`);
  const cls = node.opType === 'GlobalAveragePool' ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D';
  c.set(node.output[0]!, {
    t: c.apply(cls, { keepdims: true }, [c.inLayout(x, channelsFirst(r))]),
    perm: compose(null, channelsFirst(r)),
  });
};

/**
 * ReduceMean/ReduceMax/ReduceSum over the spatial axes: global pooling (a sum is the average
 * times the number of pooled values). Axes are an attribute, or an input from opset 18 (13 for
 * ReduceSum), where no axes with noop_with_empty_axes=1 is the identity.
 */
const reduce: NodeImporter = (c, node) => {
  const x = c.tensor(node.input[0]);
  const r = x.t.shape.length;
  const axesInput = node.input[1] ? Array.from(c.constant(node.input[1], 'axes').data) : null;
  const given = axesInput ?? intsAttr(node, 'axes', []);
  if (given.length === 0) {
    if (intAttr(node, 'noop_with_empty_axes', 0) === 1) {
      c.set(node.output[0]!, x);
      return;
    }
    throw new Error('reducing over every axis (no axes given) is not supported');
  }
  const axes = given.map((a) => (a < 0 ? a + r : a));
  const keel = axes.map((a) => (x.perm ? x.perm[a]! : a)).sort();
  const keepdims = intAttr(node, 'keepdims', 1) === 1;
  // Over the spatial axes of a 4-D or a 3-D tensor (a text CNN's max over time): global pooling.
  const dims =
    r === 4 && keel.join() === '1,2' ? '2D' : r === 3 && keel.join() === '1' ? '1D' : null;
  if (!dims)
    throw new Error(
      `only global pooling over the spatial axes of a 3-D or 4-D tensor is supported, axes [${axes}]`,
    );
  const cls = `Global${node.opType === 'ReduceMax' ? 'Max' : 'Average'}Pooling${dims}`;
  let y = c.apply(cls, { keepdims }, [x.t]);
  if (node.opType === 'ReduceSum') {
    const count = keel.reduce((n, a) => n * (x.t.shape[a] ?? Number.NaN), 1);
    if (!Number.isFinite(count))
      throw new Error(`ReduceSum over axes [${axes}] needs their sizes known`);
    y = c.apply('Rescaling', { scale: count, offset: 0 }, [y]);
  }
  const rest = keepdims ? x.perm : null;
  if (!keepdims && x.perm && x.perm.filter((p) => p === 0 || p === r - 1).join() !== `0,${r - 1}`)
    throw new Error('unsupported axis order');
  c.set(node.output[0]!, { t: y, perm: rest });
};

const batchNorm: NodeImporter = (c, node) => {
  const x = c.tensor(node.input[0]);
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) =>
    c.constant(node.input[i], `input ${i}`),
  );
  const axis = x.perm ? x.perm[1]! : 1;
  const epsilon = (attr(node, 'epsilon') as number | undefined) ?? 1e-5;
  const y = c.apply(
    'BatchNormalization',
    { axis, epsilon },
    [x.t],
    [gamma!, beta!, mean!, variance!],
  );
  c.set(node.output[0]!, { t: y, perm: x.perm });
};

const layerNorm: NodeImporter = (c, node) => {
  const x = c.tensor(node.input[0]);
  const r = x.t.shape.length;
  let axis = intAttr(node, 'axis', -1);
  if (axis < 0) axis += r;
  if (axis !== r - 1 || (x.perm && x.perm[r - 1] !== r - 1))
    throw new Error('only LayerNormalization over the last axis is supported');
  const gamma = c.constant(node.input[1], 'Scale');
  const beta =
    c.optionalConstant(node, 2) ?? new Tensor(new Float32Array(gamma.size), gamma.shape, 'float32');
  const epsilon = (attr(node, 'epsilon') as number | undefined) ?? 1e-5;
  const y = c.apply('LayerNormalization', { axis: -1, epsilon }, [x.t], [gamma, beta]);
  c.set(node.output[0]!, { t: y, perm: x.perm });
};

/**
 * ConvTranspose (PyTorch's ConvTranspose1d/2d, the upsampling of U-Nets and decoders):
 * Conv1DTranspose/Conv2DTranspose with padding 'valid' and the output padding given explicitly,
 * whose output length is (in − 1)·stride + (k − 1)·dilation + 1 + output_padding, then ONNX's
 * explicit pads cropped from each end (Cropping1D/2D), as ONNX defines its output.
 */
const convTranspose: NodeImporter = (c, node) => {
  const x = c.tensor(node.input[0]);
  const w = c.constant(node.input[1], 'the kernel');
  const bias = c.optionalConstant(node, 2);
  const spatial = w.rank - 2;
  const r = spatial + 2;
  if (spatial !== 1 && spatial !== 2)
    throw new Error(`only 1-D and 2-D transposed convolutions are supported, kernel [${w.shape}]`);
  if (intAttr(node, 'group', 1) !== 1)
    throw new Error('grouped transposed convolutions are not supported');
  const autoPad = String(attr(node, 'auto_pad') ?? 'NOTSET');
  if (!['NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER'].includes(autoPad))
    throw new Error(`auto_pad ${autoPad} is not supported`);
  const kernelSize = w.shape.slice(2);
  const ones = kernelSize.map(() => 1);
  const strides = intsAttr(node, 'strides', ones);
  const dilationRate = intsAttr(node, 'dilations', ones);
  const outputPadding = intsAttr(
    node,
    'output_padding',
    kernelSize.map(() => 0),
  );
  let pads = intsAttr(
    node,
    'pads',
    [...ones, ...ones].map(() => 0),
  );
  const outputShape = attr(node, 'output_shape') as number[] | undefined;
  if (outputShape !== undefined || autoPad.startsWith('SAME')) {
    // ONNX's rule: the pads that give output_shape (or in·stride for SAME), the odd one at the
    // end for SAME_UPPER and at the start otherwise.
    const inDims = (x.perm ? x.perm.map((p) => x.t.shape[p] ?? null) : [...x.t.shape]).slice(2);
    const total = kernelSize.map((k, i) => {
      const n = inDims[i];
      if (n === null || n === undefined)
        throw new Error('output_shape and auto_pad SAME need the input spatial sizes known');
      const full = (n - 1) * strides[i]! + (k - 1) * dilationRate[i]! + 1 + outputPadding[i]!;
      const out = outputShape ? outputShape.slice(-spatial)[i]! : n * strides[i]!;
      if (!(out <= full))
        throw new Error(`output_shape [${outputShape}] is larger than the full output ${full}`);
      return full - out;
    });
    const small = total.map((t) => Math.floor(t / 2));
    const big = total.map((t, i) => t - small[i]!);
    pads = autoPad === 'SAME_UPPER' ? [...small, ...big] : [...big, ...small];
  }
  if (pads.some((p) => p < 0 || !Number.isInteger(p)))
    throw new Error(`pads [${pads}] must be integers >= 0`);
  // ONNX [in, out, ...k] → Keel [...k, out (filters), in]
  const p = permute(w.data as Float32Array, w.shape, [
    ...Array.from({ length: spatial }, (_, i) => i + 2),
    1,
    0,
  ]);
  const weights = [new Tensor(p.data, p.shape, 'float32'), ...(bias ? [bias] : [])];
  const y = c.apply(
    spatial === 2 ? 'Conv2DTranspose' : 'Conv1DTranspose',
    {
      filters: w.shape[1],
      kernelSize,
      strides,
      dilationRate,
      padding: 'valid',
      outputPadding,
      useBias: bias !== null,
    },
    [c.inLayout(x, channelsFirst(r))],
    weights,
  );
  const edges = kernelSize.map((_, i) => [pads[i]!, pads[i + spatial]!]);
  const cropped = pads.every((p) => p === 0)
    ? y
    : c.apply(
        spatial === 2 ? 'Cropping2D' : 'Cropping1D',
        { cropping: spatial === 2 ? edges : edges[0] },
        [y],
      );
  c.set(node.output[0]!, { t: cropped, perm: channelsFirst(r) });
};

/** ArgMax over a non-batch axis (a classifier's predicted class), int32 instead of ONNX's int64. */
const argMax: NodeImporter = (c, node) => {
  const x = c.tensor(node.input[0]);
  const r = x.t.shape.length;
  if (intAttr(node, 'select_last_index', 0) !== 0)
    throw new Error('select_last_index=1 is not supported');
  let axis = intAttr(node, 'axis', 0);
  if (axis < 0) axis += r;
  if (axis <= 0 || axis >= r)
    throw new Error(`ArgMax over axis ${axis} (the batch axis or out of range)`);
  const keepdims = intAttr(node, 'keepdims', 1) === 1;
  const t = c.realize(x);
  c.set(node.output[0]!, { t: c.apply('ArgMax', { axis, keepdims }, [t]), perm: null });
};

/** Gather from a constant 2-D table along axis 0: an Embedding. */
const gather: NodeImporter = (c, node) => {
  if (c.value(node.input[0]).kind === 'tensor') return gatherComputed(c, node, 0);
  const table = c.constant(node.input[0], 'the Gather table');
  if (intAttr(node, 'axis', 0) !== 0 || table.rank !== 2)
    throw new Error('only Gather(2-D table, indices, axis=0) (an embedding) is supported');
  const ids = c.realize(c.tensor(node.input[1]));
  const [inputDim, outputDim] = table.shape as [number, number];
  c.set(node.output[0]!, {
    t: c.apply('Embedding', { inputDim, outputDim }, [ids], [table]),
    perm: null,
  });
};

/** Dense, convolution, pooling, normalization and embedding layers: ONNX op type → importer. */
export const LAYER_IMPORTERS: Readonly<Record<string, NodeImporter>> = {
  MatMul: dense,
  Gemm: dense,
  Conv: conv,
  MaxPool: pool,
  AveragePool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  ReduceMean: reduce,
  ReduceMax: reduce,
  ReduceSum: reduce,
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
  Gather: gather,
  ArgMax: argMax,
  ConvTranspose: convTranspose,
};
