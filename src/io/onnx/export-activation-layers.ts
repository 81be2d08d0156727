import { float, type OnnxBuilder } from './builder.js';
import type { ExportContext, LayerExporter } from './export-layers.js';

const scalar = (b: OnnxBuilder, name: string, v: number) => b.floats(name, [v], []);

/** Keras's ReLU.static_call as ONNX nodes, in the same order of steps. */
function relu(c: ExportContext): string[] {
  const { b, config } = c;
  const x = c.inputs[0]!;
  const max = config['maxValue'] as number | null;
  const slope = config['negativeSlope'] as number;
  const t = config['threshold'] as number;
  let y =
    t !== 0
      ? b.op('Mul', [x, b.op('Cast', [b.op('Greater', [x, scalar(b, 'threshold', t)])], { to: 1 })])
      : b.op('Relu', [x]);
  if (max !== null) y = b.op('Clip', [y, scalar(b, 'zero', 0), scalar(b, 'max_value', max)]);
  if (slope === 0) return [y];
  const below = b.op('Relu', [
    t !== 0 ? b.op('Sub', [scalar(b, 'threshold', t), x]) : b.op('Neg', [x]),
  ]);
  return [b.op('Sub', [y, b.op('Mul', [below, scalar(b, 'negative_slope', slope)])])];
}

/** Softmax over one axis, or exp(x - logsumexp(x)) over several. */
function softmax(c: ExportContext): string[] {
  const { b } = c;
  const x = c.inputs[0]!;
  const axis = c.config['axis'] as number | number[];
  if (typeof axis === 'number') return [b.op('Softmax', [x], { axis })];
  if (axis.length === 1) return [b.op('Softmax', [x], { axis: axis[0]! })];
  const lse =
    b.opset >= 18
      ? b.op('ReduceLogSumExp', [x, b.int64s('axes', axis)], { keepdims: 1 })
      : b.op('ReduceLogSumExp', [x], { axes: axis, keepdims: 1 });
  return [b.op('Exp', [b.op('Sub', [x, lse])])];
}

/** Converters of the activation layers (ReLU, LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax). */
export const ACTIVATION_LAYER_EXPORTERS: Readonly<Record<string, LayerExporter>> = {
  ReLU: relu,
  LeakyReLU: (c) => [
    c.b.op('LeakyRelu', [c.inputs[0]!], { alpha: float(c.config['negativeSlope'] as number) }),
  ],
  // PRelu(x, slope) = x < 0 ? slope·x : x, with slope broadcast from the right like alpha.
  PReLU: (c) => [
    c.b.op('PRelu', [c.inputs[0]!, c.b.weight(`${c.layer.name}/alpha`, c.weights[0]!)]),
  ],
  ELU: (c) => [c.b.op('Elu', [c.inputs[0]!], { alpha: float(c.config['alpha'] as number) })],
  ThresholdedReLU: (c) => [
    c.b.op('ThresholdedRelu', [c.inputs[0]!], { alpha: float(c.config['theta'] as number) }),
  ],
  Softmax: softmax,
};
