import type { Layer } from '../../nn/engine/layer.js';
import type { SymbolicShape } from '../../nn/engine/symbolic-tensor.js';
import type { Bidirectional } from '../../nn/layers/bidirectional.js';
import type { TimeDistributed } from '../../nn/layers/time-distributed.js';
import {
  type ExportContext,
  type LayerExporter,
  RNN_KINDS,
  rnnAttributes,
  rnnDirection,
} from './export-layers.js';

const classOf = (l: Layer) => (l.constructor as unknown as { className: string }).className;

/**
 * Bidirectional(LSTM | GRU | SimpleRNN) as one ONNX recurrent node with direction
 * 'bidirectional': Y [steps, 2, batch, u] and Y_h [2, batch, u] hold the forward direction, then
 * the backward one aligned to the input steps, as Keel's merge expects.
 */
function bidirectional(c: ExportContext): string[] {
  const { b } = c;
  const layer = c.layer as Bidirectional;
  const f = layer.forwardLayer;
  const bw = layer.backwardLayer;
  const cls = classOf(f);
  const name = c.layer.name;
  if (!RNN_KINDS[cls] || classOf(bw) !== cls)
    throw new Error(`exportOnnx: ${name}: Bidirectional(${cls}) has no ONNX conversion`);
  const fc = f.getConfig();
  const bc = bw.getConfig();
  if (f.returnState || f.goBackwards || !bw.goBackwards)
    throw new Error(
      `exportOnnx: ${name}: returnState and a backwards forward layer have no ONNX conversion yet`,
    );
  const [kind, gates] = RNN_KINDS[cls]!;
  const fd = rnnDirection(`${name}/forward`, cls, fc, f.weights);
  const bd = rnnDirection(`${name}/backward`, cls, bc, bw.weights);
  if (fd.activations.join() !== bd.activations.join() || fd.units !== bd.units)
    throw new Error(`exportOnnx: ${name}: both directions need the same units and activations`);
  if (cls === 'GRU' && fc['resetAfter'] !== bc['resetAfter'])
    throw new Error(`exportOnnx: ${name}: both GRU directions need the same resetAfter`);
  const u = fd.units;
  const features = c.shapes[0]!.at(-1) as number;
  const cat = (x: Float32Array, y: Float32Array) => {
    const out = new Float32Array(x.length + y.length);
    out.set(x, 0);
    out.set(y, x.length);
    return out;
  };
  const inputs = [
    b.op('Transpose', [c.inputs[0]!], { perm: [1, 0, 2] }),
    b.floats(`${name}/W`, cat(fd.W, bd.W), [2, gates * u, features]),
    b.floats(`${name}/R`, cat(fd.R, bd.R), [2, gates * u, u]),
  ];
  if (f.weights.length > 2) inputs.push(b.floats(`${name}/B`, cat(fd.B, bd.B), [2, 2 * gates * u]));
  const attrs = rnnAttributes(cls, fc, [...fd.activations, ...bd.activations]);
  const [Y, Yh] = b.node(kind, inputs, { ...attrs, direction: 'bidirectional' }, 2);
  // Per sample: [steps, 2, u] (sequences) or [2, u] (last states).
  const both = f.returnSequences
    ? b.op('Transpose', [Y!], { perm: [2, 0, 1, 3] })
    : b.op('Transpose', [Yh!], { perm: [1, 0, 2] });
  const dirAxis = f.returnSequences ? 2 : 1;
  const one = (i: number) => {
    const picked = b.op('Gather', [both, b.int64s(`${name}/direction`, [i])], { axis: dirAxis });
    return b.op('Squeeze', [picked, b.int64s(`${name}/axes`, [dirAxis])]);
  };
  switch (layer.mergeMode) {
    case 'concat':
      return [
        b.op('Reshape', [both, b.int64s('shape', f.returnSequences ? [0, 0, 2 * u] : [0, 2 * u])]),
      ];
    case 'sum':
      return [b.op('Add', [one(0), one(1)])];
    case 'mul':
      return [b.op('Mul', [one(0), one(1)])];
    case 'ave':
      return [b.op('Mul', [b.op('Add', [one(0), one(1)]), b.floats('half', [0.5], [])])];
    default:
      return [one(0), one(1)];
  }
}

/**
 * TimeDistributed(inner): [B, T, ...] → Reshape [B·T, ...] → inner → Reshape [B, T, ...out]; the
 * batch and step sizes come from the input's Shape, so neither needs to be fixed.
 */
function timeDistributed(lookup: () => Readonly<Record<string, LayerExporter>>): LayerExporter {
  return (c) => {
    const { b } = c;
    const inner = (c.layer as TimeDistributed).layer;
    const cls = classOf(inner);
    const convert = Object.hasOwn(lookup(), cls) ? lookup()[cls] : undefined;
    const shape = c.shapes[0]!;
    const rest = shape.slice(2);
    if (!convert || rest.some((d) => d === null))
      throw new Error(
        `exportOnnx: ${c.layer.name}: TimeDistributed(${cls}) has no ONNX conversion${convert ? ' (the per-step shape must be fixed)' : ''}`,
      );
    const x = c.inputs[0]!;
    const merged = b.op('Reshape', [x, b.int64s('shape', [-1, ...(rest as number[])])]);
    const innerShape: SymbolicShape = [null, ...rest];
    const [y] = convert({
      b,
      layer: inner,
      config: inner.getConfig(),
      inputs: [merged],
      shapes: [innerShape],
      weights: inner.weights,
      kwargs: {},
    });
    const out = (inner.computeOutputShape(innerShape) as SymbolicShape).slice(1);
    if (out.some((d) => d === null))
      throw new Error(`exportOnnx: ${c.layer.name}: the per-step output shape must be fixed`);
    const batchSteps = b.op('Slice', [
      b.op('Shape', [x]),
      b.int64s('starts', [0]),
      b.int64s('ends', [2]),
    ]);
    const target = b.op('Concat', [batchSteps, b.int64s('shape', out as number[])], { axis: 0 });
    return [b.op('Reshape', [y!, target])];
  };
}

/** The sin/cos table of SinusoidalPositionEncoding, broadcast to the input's shape. */
function sinusoidal(c: ExportContext): string[] {
  const shape = c.shapes[0]!;
  const [T, D] = [shape.at(-2), shape.at(-1)];
  if (T == null || D == null)
    throw new Error(`exportOnnx: ${c.layer.name}: the sequence length and features must be fixed`);
  if (c.kwargs['startIndex'])
    throw new Error(`exportOnnx: ${c.layer.name}: a call with startIndex has no ONNX conversion`);
  const wavelength = c.config['maxWavelength'] as number;
  const table = new Float32Array(T * D);
  for (let t = 0; t < T; t++)
    for (let i = 0; i < D; i++) {
      const angle = t * (1 / wavelength) ** ((2 * Math.floor(i / 2)) / D);
      table[t * D + i] = i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  const b = c.b;
  return [
    b.op('Expand', [
      b.floats(`${c.layer.name}/table`, table, [T, D]),
      b.op('Shape', [c.inputs[0]!]),
    ]),
  ];
}

/** Token embeddings plus the first T rows of the position table (T from the input's shape). */
function tokenAndPosition(c: ExportContext): string[] {
  const { b } = c;
  if (c.kwargs['startIndex'])
    throw new Error(`exportOnnx: ${c.layer.name}: a call with startIndex has no ONNX conversion`);
  const [tokens, positions] = c.weights;
  // Keel takes float or int32 ids; Gather wants integers.
  const ids = b.op('Cast', [c.inputs[0]!], { to: 7 });
  const steps = b.op('Slice', [
    b.op('Shape', [ids]),
    b.int64s('starts', [1]),
    b.int64s('ends', [2]),
  ]);
  const table = b.op('Slice', [
    b.weight(`${c.layer.name}/position_embedding`, positions!),
    b.int64s('starts', [0]),
    steps,
    b.int64s('axes', [0]),
  ]);
  const embedded = b.op('Gather', [b.weight(`${c.layer.name}/token_embedding`, tokens!), ids]);
  return [b.op('Add', [embedded, table])];
}

/** Masking's values: x · [any feature ≠ maskValue]; the mask itself has no ONNX form. */
function masking(c: ExportContext): string[] {
  const { b } = c;
  const x = c.inputs[0]!;
  const value = b.floats('mask_value', [c.config['maskValue'] as number], []);
  const differs = b.op('Cast', [b.op('Not', [b.op('Equal', [x, value])])], { to: 1 });
  const keep =
    b.opset >= 18
      ? b.op('ReduceMax', [differs, b.int64s('axes', [-1])], { keepdims: 1 })
      : b.op('ReduceMax', [differs], { axes: [-1], keepdims: 1 });
  return [b.op('Mul', [x, keep])];
}

/** Converters of the sequence layers; TimeDistributed looks its inner layer up in `lookup`. */
export function sequenceExporters(
  lookup: () => Readonly<Record<string, LayerExporter>>,
): Record<string, LayerExporter> {
  return {
    Bidirectional: bidirectional,
    TimeDistributed: timeDistributed(lookup),
    SinusoidalPositionEncoding: sinusoidal,
    TokenAndPositionEmbedding: tokenAndPosition,
    Masking: masking,
  };
}
