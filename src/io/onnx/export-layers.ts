import type { Layer } from '../../nn/engine/layer.js';
import type { SymbolicShape } from '../../nn/engine/symbolic-tensor.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type AttrValue, float, type OnnxBuilder, permute } from './builder.js';
import { ACTIVATION_LAYER_EXPORTERS } from './export-activation-layers.js';
import { ATTENTION_LAYER_EXPORTERS } from './export-attention-layers.js';
import { CONV_VARIANT_EXPORTERS } from './export-conv-variants.js';
import { KERAS_LAYER_EXPORTERS } from './export-keras-layers.js';
import { QUANTIZED_LAYER_EXPORTERS } from './export-quantized.js';
import { sequenceExporters } from './export-sequence.js';
import { ONNX_DTYPE } from './schema.js';

/** What a layer converter sees: the builder, the layer, its config, input names and shapes, weights. */
export interface ExportContext {
  b: OnnxBuilder;
  layer: Layer;
  config: Record<string, unknown>;
  inputs: string[];
  shapes: SymbolicShape[];
  weights: Tensor[];
  /** The call's keyword arguments (useCausalMask, startIndex, ...). */
  kwargs: Readonly<Record<string, unknown>>;
}

export type LayerExporter = (c: ExportContext) => string[];

/** Keel activation name → ONNX nodes. */
export function exportActivation(b: OnnxBuilder, name: unknown, x: string): string {
  const key = String(name ?? 'linear')
    .replace(/_/g, '')
    .toLowerCase();
  switch (key) {
    case 'linear':
      return x;
    case 'relu':
      return b.op('Relu', [x]);
    case 'sigmoid':
      return b.op('Sigmoid', [x]);
    case 'tanh':
      return b.op('Tanh', [x]);
    case 'softmax':
      return b.op('Softmax', [x], { axis: -1 });
    case 'logsoftmax':
      return b.op('LogSoftmax', [x], { axis: -1 });
    case 'elu':
      return b.op('Elu', [x], { alpha: float(1) });
    case 'selu':
      return b.op('Selu', [x]);
    case 'softplus':
      return b.op('Softplus', [x]);
    case 'softsign':
      return b.op('Softsign', [x]);
    case 'exponential':
      return b.op('Exp', [x]);
    case 'leakyrelu':
      return b.op('LeakyRelu', [x], { alpha: float(0.2) });
    case 'relu6':
      return b.op('Clip', [x, b.floats('zero', [0], []), b.floats('six', [6], [])]);
    case 'silu':
    case 'swish':
      return b.op('Mul', [x, b.op('Sigmoid', [x])]);
    case 'hardsigmoid':
      return b.op('HardSigmoid', [x], { alpha: float(1 / 6), beta: float(0.5) });
    case 'gelu': {
      // 0.5 x (1 + erf(x / sqrt 2)): opset 17 has no Gelu op.
      const erf = b.op('Erf', [b.op('Div', [x, b.floats('sqrt2', [Math.SQRT2], [])])]);
      const onePlus = b.op('Add', [erf, b.floats('one', [1], [])]);
      return b.op('Mul', [b.op('Mul', [x, onePlus]), b.floats('half', [0.5], [])]);
    }
    default:
      throw new Error(`exportOnnx: activation '${String(name)}' has no ONNX conversion`);
  }
}

const rankOf = (c: ExportContext, i = 0) => c.shapes[i]!.length;

/** Moves the last axis to position 1 (NHWC → NCHW) and back. */
const toChannelsFirst = (r: number) => [
  0,
  r - 1,
  ...Array.from({ length: r - 2 }, (_, i) => i + 1),
];
const toChannelsLast = (r: number) => [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1];

function spatialPadding(
  c: ExportContext,
  kernel: number[],
  dilation: number[],
): Record<string, AttrValue> {
  const padding = c.config['padding'];
  if (padding === 'same') return { auto_pad: 'SAME_UPPER' };
  if (padding === 'valid') return { auto_pad: 'VALID' };
  if (padding === 'causal') {
    const left = (kernel[0]! - 1) * (dilation[0] ?? 1);
    return { pads: [left, 0] };
  }
  throw new Error(
    `exportOnnx: ${c.layer.name}: padding '${String(padding)}' has no ONNX conversion`,
  );
}

function conv(c: ExportContext): string[] {
  const { b, config } = c;
  const r = rankOf(c);
  const kernel = config['kernelSize'] as number[];
  const dilations = config['dilationRate'] as number[];
  const [k, bias] = c.weights;
  // Keras kernel [...spatial, in, out] → ONNX [out, in, ...spatial]
  const spatial = kernel.length;
  const perm = [spatial + 1, spatial, ...Array.from({ length: spatial }, (_, i) => i)];
  const inputs = [
    b.op('Transpose', [c.inputs[0]!], { perm: toChannelsFirst(r) }),
    b.weight(`${c.layer.name}/kernel`, k!, perm),
  ];
  if (bias) inputs.push(b.weight(`${c.layer.name}/bias`, bias));
  const y = b.op('Conv', inputs, {
    kernel_shape: kernel,
    strides: config['strides'] as number[],
    dilations,
    ...spatialPadding(c, kernel, dilations),
  });
  const back = b.op('Transpose', [y], { perm: toChannelsLast(r) });
  return [exportActivation(b, config['activation'], back)];
}

function pool(opType: 'MaxPool' | 'AveragePool'): LayerExporter {
  return (c) => {
    const r = rankOf(c);
    const kernel = c.config['poolSize'] as number[];
    const x = c.b.op('Transpose', [c.inputs[0]!], { perm: toChannelsFirst(r) });
    const y = c.b.op(opType, [x], {
      kernel_shape: kernel,
      strides: c.config['strides'] as number[],
      ...spatialPadding(c, kernel, []),
    });
    return [c.b.op('Transpose', [y], { perm: toChannelsLast(r) })];
  };
}

function globalPool(opType: 'ReduceMean' | 'ReduceMax'): LayerExporter {
  return (c) => {
    const r = rankOf(c);
    const axes = Array.from({ length: r - 2 }, (_, i) => i + 1);
    const keepdims = c.config['keepdims'] ? 1 : 0;
    // Opset 18 moved the axes of ReduceMean/ReduceMax from an attribute to an input.
    if (c.b.opset >= 18)
      return [c.b.op(opType, [c.inputs[0]!, c.b.int64s('axes', axes)], { keepdims })];
    return [c.b.op(opType, [c.inputs[0]!], { axes, keepdims })];
  };
}

function dense(c: ExportContext): string[] {
  const { b } = c;
  const [k, bias] = c.weights;
  let y = b.op('MatMul', [c.inputs[0]!, b.weight(`${c.layer.name}/kernel`, k!)]);
  if (bias) y = b.op('Add', [y, b.weight(`${c.layer.name}/bias`, bias)]);
  return [exportActivation(b, c.config['activation'], y)];
}

function batchNorm(c: ExportContext): string[] {
  const { b, config } = c;
  const r = rankOf(c);
  let axis = config['axis'] as number | number[];
  if (Array.isArray(axis)) {
    if (axis.length !== 1)
      throw new Error(`exportOnnx: ${c.layer.name}: BatchNormalization over several axes`);
    axis = axis[0]!;
  }
  if (axis < 0) axis += r;
  const ws = [...c.weights];
  const channels = ws.at(-1)!.size;
  const gamma = config['scale'] ? ws.shift()! : null;
  const beta = config['center'] ? ws.shift()! : null;
  const [mean, variance] = ws;
  const perm =
    axis === 1
      ? null
      : [0, axis, ...Array.from({ length: r }, (_, i) => i).filter((i) => i !== 0 && i !== axis)];
  const x = perm ? b.op('Transpose', [c.inputs[0]!], { perm }) : c.inputs[0]!;
  const name = c.layer.name;
  const y = b.op(
    'BatchNormalization',
    [
      x,
      gamma
        ? b.weight(`${name}/gamma`, gamma)
        : b.floats(`${name}/gamma`, new Float32Array(channels).fill(1), [channels]),
      beta
        ? b.weight(`${name}/beta`, beta)
        : b.floats(`${name}/beta`, new Float32Array(channels), [channels]),
      b.weight(`${name}/moving_mean`, mean!),
      b.weight(`${name}/moving_variance`, variance!),
    ],
    { epsilon: float(config['epsilon'] as number) },
  );
  if (!perm) return [y];
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return [b.op('Transpose', [y], { perm: inverse })];
}

function layerNorm(c: ExportContext): string[] {
  const { b, config } = c;
  const r = rankOf(c);
  const axis = Array.isArray(config['axis'])
    ? (config['axis'] as number[])
    : [config['axis'] as number];
  if (axis.length !== 1 || (axis[0]! !== -1 && axis[0]! !== r - 1)) {
    throw new Error(
      `exportOnnx: ${c.layer.name}: LayerNormalization is exported over the last axis only`,
    );
  }
  const ws = [...c.weights];
  const d = c.shapes[0]!.at(-1)!;
  const gamma = config['scale'] !== false ? ws.shift()! : null;
  const beta = config['center'] !== false ? ws.shift()! : null;
  const name = c.layer.name;
  return [
    b.op(
      'LayerNormalization',
      [
        c.inputs[0]!,
        gamma
          ? b.weight(`${name}/gamma`, gamma)
          : b.floats(`${name}/gamma`, new Float32Array(d).fill(1), [d]),
        beta ? b.weight(`${name}/beta`, beta) : b.floats(`${name}/beta`, new Float32Array(d), [d]),
      ],
      { axis: -1, epsilon: float(config['epsilon'] as number) },
    ),
  ];
}

/** Reorders gate blocks along the last axis of a [rows, gates·units] matrix. */
function gateBlocks(t: Tensor, units: number, order: readonly number[]): Float32Array {
  const d = t.data as Float32Array;
  const cols = t.shape.at(-1)!;
  const rows = d.length / cols;
  const out = new Float32Array(d.length);
  for (let r = 0; r < rows; r++)
    order.forEach((g, i) => {
      out.set(d.subarray(r * cols + g * units, r * cols + (g + 1) * units), r * cols + i * units);
    });
  return out;
}

/** Keras [in, gates·u] with Keel gate order → ONNX [gates·u, in] in ONNX gate order. */
function recurrentWeight(t: Tensor, units: number, order: readonly number[]): Float32Array {
  return permute(gateBlocks(t, units, order), t.shape, [1, 0]).data;
}

export type RnnKind = 'LSTM' | 'GRU' | 'RNN';

/** ONNX kind, gate count and Keel → ONNX gate order of a Keel recurrent layer class. */
export const RNN_KINDS: Readonly<Record<string, [RnnKind, number, readonly number[]]>> = {
  // Keel gate order i,f,c,o → ONNX i,o,f,c; GRU z,r,h is the same in both.
  LSTM: ['LSTM', 4, [0, 3, 1, 2]],
  GRU: ['GRU', 3, [0, 1, 2]],
  SimpleRNN: ['RNN', 1, [0]],
};

/**
 * One direction of a recurrent layer in ONNX's layout: W [G·u, in], R [G·u, u], B [2·G·u]
 * (input then recurrent biases), and its activations; `name` labels errors.
 */
export function rnnDirection(
  name: string,
  className: string,
  config: Record<string, unknown>,
  weights: Tensor[],
): { W: Float32Array; R: Float32Array; B: Float32Array; activations: string[]; units: number } {
  const [kind, gates, order] = RNN_KINDS[className]!;
  const units = config['units'] as number;
  const act = (n: unknown) =>
    ({ sigmoid: 'Sigmoid', tanh: 'Tanh', relu: 'Relu' })[String(n)] ?? null;
  const f = act(config['recurrentActivation'] ?? 'sigmoid');
  const g = act(config['activation'] ?? 'tanh');
  if (!f || !g) throw new Error(`exportOnnx: ${name}: activations must be sigmoid/tanh/relu`);
  const activations = kind === 'RNN' ? [g] : kind === 'LSTM' ? [f, g, g] : [f, g];
  const [kernel, rec, bias] = weights;
  const B = new Float32Array(2 * gates * units);
  if (bias?.rank === 2) {
    // GRU resetAfter: [2, 3u] = input bias, recurrent bias
    for (const r of [0, 1]) {
      const row = new Float32Array(bias.data.slice(r * gates * units, (r + 1) * gates * units));
      const blocks = { data: row, shape: [gates * units] } as unknown as Tensor;
      B.set(gateBlocks(blocks, units, order), r * gates * units);
    }
  } else if (bias) B.set(gateBlocks(bias, units, order), 0);
  return {
    W: recurrentWeight(kernel!, units, order),
    R: recurrentWeight(rec!, units, order),
    B,
    activations,
    units,
  };
}

/** ONNX attributes of a recurrent node (hidden size, activations per direction, GRU's reset). */
export function rnnAttributes(
  className: string,
  config: Record<string, unknown>,
  activations: string[],
): Record<string, AttrValue> {
  const attrs: Record<string, AttrValue> = { hidden_size: config['units'] as number, activations };
  if (className === 'GRU') attrs['linear_before_reset'] = config['resetAfter'] === false ? 0 : 1;
  return attrs;
}

function recurrent(c: ExportContext): string[] {
  const { b, config } = c;
  const className = (c.layer.constructor as unknown as { className: string }).className;
  const [kind, gates] = RNN_KINDS[className]!;
  if (config['goBackwards'] || config['returnState']) {
    throw new Error(
      `exportOnnx: ${c.layer.name}: goBackwards and returnState have no ONNX conversion yet`,
    );
  }
  const name = c.layer.name;
  const d = rnnDirection(name, className, config, c.weights);
  const inputs = c.shapes[0]!.at(-1) as number;
  // ONNX Runtime only runs layout 0 (time-major): [batch, steps, f] -> [steps, batch, f].
  const ins = [
    b.op('Transpose', [c.inputs[0]!], { perm: [1, 0, 2] }),
    b.floats(`${name}/W`, d.W, [1, gates * d.units, inputs]),
    b.floats(`${name}/R`, d.R, [1, gates * d.units, d.units]),
  ];
  if (c.weights[2]) ins.push(b.floats(`${name}/B`, d.B, [1, 2 * gates * d.units]));
  const [Y, Yh] = b.node(kind, ins, rnnAttributes(className, config, d.activations), 2);
  // Y [steps, 1, batch, units]; Y_h [1, batch, units]
  if (!config['returnSequences']) return [b.op('Squeeze', [Yh!, b.int64s('axes', [0])])];
  const seq = b.op('Squeeze', [Y!, b.int64s('axes', [1])]);
  return [b.op('Transpose', [seq], { perm: [1, 0, 2] })];
}

function multiHeadAttention(c: ExportContext): string[] {
  const { b, config } = c;
  const H = config['numHeads'] as number;
  const K = config['keyDim'] as number;
  const V = (config['valueDim'] as number | null) ?? K;
  if (config['useRotaryEmbedding'])
    throw new Error(`exportOnnx: ${c.layer.name}: rotary embeddings have no ONNX conversion yet`);
  for (const k of ['attentionMask', 'useCausalMask', 'returnAttentionScores'])
    if (c.kwargs[k])
      throw new Error(`exportOnnx: ${c.layer.name}: a call with ${k} has no ONNX conversion yet`);
  const [query, value, key = value] = c.inputs as [string, string, string?];
  const ws = [...c.weights];
  const useBias = config['useBias'] !== false;
  const take = () => ws.shift()!;
  const proj = (x: string, what: string, e: number) => {
    const kernel = take();
    const bias = useBias ? take() : null;
    const d = kernel.shape[0]!;
    let y = b.op('MatMul', [
      x,
      b.floats(`${c.layer.name}/${what}/kernel`, kernel.data as Float32Array, [d, H * e]),
    ]);
    if (bias)
      y = b.op('Add', [
        y,
        b.floats(`${c.layer.name}/${what}/bias`, bias.data as Float32Array, [H * e]),
      ]);
    return b.op('Reshape', [y, b.int64s('shape', [0, 0, H, e])]);
  };
  const q = b.op('Transpose', [proj(query, 'query', K)], { perm: [0, 2, 1, 3] });
  const k = b.op('Transpose', [proj(key ?? value!, 'key', K)], { perm: [0, 2, 3, 1] });
  const v = b.op('Transpose', [proj(value!, 'value', V)], { perm: [0, 2, 1, 3] });
  const scores = b.op('Mul', [b.op('MatMul', [q, k]), b.floats('scale', [1 / Math.sqrt(K)], [])]);
  const attended = b.op('MatMul', [b.op('Softmax', [scores], { axis: -1 }), v]);
  const merged = b.op('Reshape', [
    b.op('Transpose', [attended], { perm: [0, 2, 1, 3] }),
    b.int64s('shape', [0, 0, H * V]),
  ]);
  const wo = take();
  const bo = useBias ? take() : null;
  let out = b.op('MatMul', [
    merged,
    b.floats(`${c.layer.name}/attention_output/kernel`, wo.data as Float32Array, [
      H * V,
      wo.shape[2]!,
    ]),
  ]);
  if (bo) out = b.op('Add', [out, b.weight(`${c.layer.name}/attention_output/bias`, bo)]);
  return [out];
}

/** Layer class name → converter. */
export const LAYER_EXPORTERS: Readonly<Record<string, LayerExporter>> = {
  Dense: dense,
  Conv1D: conv,
  Conv2D: conv,
  Conv3D: conv,
  MaxPooling1D: pool('MaxPool'),
  MaxPooling2D: pool('MaxPool'),
  AveragePooling1D: pool('AveragePool'),
  AveragePooling2D: pool('AveragePool'),
  MaxPooling3D: pool('MaxPool'),
  AveragePooling3D: pool('AveragePool'),
  GlobalAveragePooling1D: globalPool('ReduceMean'),
  GlobalAveragePooling2D: globalPool('ReduceMean'),
  GlobalMaxPooling1D: globalPool('ReduceMax'),
  GlobalMaxPooling2D: globalPool('ReduceMax'),
  GlobalAveragePooling3D: globalPool('ReduceMean'),
  GlobalMaxPooling3D: globalPool('ReduceMax'),
  Flatten: (c) => [c.b.op('Flatten', [c.inputs[0]!], { axis: 1 })],
  // ONNX's ArgMax gives int64; Keel's layer int32.
  ArgMax: (c) => {
    const rank = c.shapes[0]!.length;
    const axis = c.config['axis'] as number;
    const keepdims = c.config['keepdims'] ? 1 : 0;
    const y = c.b.op('ArgMax', [c.inputs[0]!], { axis: axis < 0 ? axis + rank : axis, keepdims });
    return [c.b.op('Cast', [y], { to: ONNX_DTYPE.INT32 })];
  },
  Reshape: (c) => [
    c.b.op('Reshape', [
      c.inputs[0]!,
      c.b.int64s('shape', [0, ...(c.config['targetShape'] as number[])]),
    ]),
  ],
  Dropout: (c) => [c.b.op('Identity', [c.inputs[0]!])],
  Activation: (c) => [exportActivation(c.b, c.config['activation'], c.inputs[0]!)],
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
  Add: (c) => [c.b.op('Sum', c.inputs)],
  Multiply: (c) => [c.inputs.slice(1).reduce((acc, x) => c.b.op('Mul', [acc, x]), c.inputs[0]!)],
  Concatenate: (c) => {
    const axis = c.config['axis'] as number;
    return [c.b.op('Concat', c.inputs, { axis: axis < 0 ? axis + rankOf(c) : axis })];
  },
  // Keel takes float or int32 ids (a Sequential's input is float32); Gather wants integers.
  Embedding: (c) => [
    c.b.op('Gather', [
      c.b.weight(`${c.layer.name}/embeddings`, c.weights[0]!),
      c.b.op('Cast', [c.inputs[0]!], { to: 7 }),
    ]),
  ],
  LSTM: recurrent,
  GRU: recurrent,
  SimpleRNN: recurrent,
  MultiHeadAttention: multiHeadAttention,
  ...sequenceExporters(() => LAYER_EXPORTERS),
  ...ACTIVATION_LAYER_EXPORTERS,
  ...ATTENTION_LAYER_EXPORTERS,
  ...KERAS_LAYER_EXPORTERS,
  ...CONV_VARIANT_EXPORTERS,
  ...QUANTIZED_LAYER_EXPORTERS,
};
