import { quantizedOutputOptions, type StaticQuant } from '../../nn/layers/internal/quantized.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type OnnxBuilder, permute } from './builder.js';
import { type ExportContext, exportActivation, type LayerExporter } from './export-layers.js';

/**
 * The integer layers of `compress.quantize` in ONNX's QDQ form, which ONNX Runtime fuses into its
 * integer kernels (QLinearConv, QLinearMatMul, MatMulIntegerToFloat) and other runtimes can run in
 * float: every uint8 activation becomes QuantizeLinear → DequantizeLinear with the layer's
 * calibrated scale and zero point, int8 weights DequantizeLinear with their per-channel scales
 * (zero points 0), an int32 bias DequantizeLinear with scale inputScale·kernelScale[j]; the float
 * op sits between them. Dynamic mode (no inputScale) uses DynamicQuantizeLinear and MatMulInteger.
 * Edges between layers are float; a consumer's QuantizeLinear repeats its producer's output
 * parameters, so ONNX Runtime's optimizer drops the pair.
 */

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

/** QuantizeLinear then DequantizeLinear to uint8 with one scale and zero point. */
function fakeQuantize(b: OnnxBuilder, x: string, scale: number, zeroPoint: number, name: string) {
  const s = b.floats(`${name}/scale`, [scale], []);
  const z = b.ints(`${name}/zero_point`, Uint8Array.of(zeroPoint), []);
  return b.op('DequantizeLinear', [b.op('QuantizeLinear', [x, s, z]), s, z]);
}

/** DequantizeLinear of integer data with per-channel scales along `axis` and zero points 0. */
function dequantized(
  b: OnnxBuilder,
  name: string,
  data: Int8Array | Int32Array,
  dims: number[],
  scales: Float32Array,
  axis: number,
): string {
  const zeros =
    data instanceof Int8Array ? new Int8Array(scales.length) : new Int32Array(scales.length);
  return b.op(
    'DequantizeLinear',
    [
      b.ints(name, data, dims),
      b.floats(`${name}_scale`, scales, [scales.length]),
      b.ints(`${name}_zero_point`, zeros, [scales.length]),
    ],
    { axis },
  );
}

/** The layer's quantization state, weights and the integer op's options for its calibrated input. */
function parts(c: ExportContext) {
  const layer = c.layer as unknown as { quant: StaticQuant };
  const q = layer.quant;
  const [kernel, kernelScale, bias] = c.weights as [Tensor, Tensor, Tensor | undefined];
  const scales = kernelScale.data as Float32Array;
  const activation = String(c.config['activation'] ?? 'linear');
  const fused = activation === 'relu' ? 'relu' : activation === 'linear' ? 'linear' : null;
  const options =
    q.inputScale === null
      ? null
      : quantizedOutputOptions(
          q,
          q.inputScale,
          q.inputZeroPoint,
          scales,
          (bias?.data as Float32Array | undefined) ?? null,
          fused,
        );
  return { q, kernel, scales, bias, activation, options };
}

/** The bias input of a layer: int32 dequantized with inputScale·kernelScale[j] when it requantizes
 * (the values Keel adds to its accumulators), else the float bias. */
function biasInput(c: ExportContext, p: ReturnType<typeof parts>, axis: number): string | null {
  if (!p.bias) return null;
  const name = `${c.layer.name}/bias`;
  if (p.q.outputScale === null || !p.options?.bias) return c.b.weight(name, p.bias);
  const accScale = p.scales.map((s) => Math.fround(p.q.inputScale! * s));
  const ints = p.options.bias.data as Int32Array;
  return dequantized(c.b, `${name}_int32`, ints, [ints.length], accScale, axis);
}

/** The activation, then the output's QuantizeLinear/DequantizeLinear when the layer requantizes. */
function output(c: ExportContext, p: ReturnType<typeof parts>, y: string): string {
  const activated = exportActivation(c.b, p.activation, y);
  if (p.q.outputScale === null) return activated;
  return fakeQuantize(
    c.b,
    activated,
    p.q.outputScale,
    p.q.outputZeroPoint,
    `${c.layer.name}/output`,
  );
}

function quantizedConv2d(c: ExportContext): string[] {
  const { b, config } = c;
  const p = parts(c);
  if (p.q.inputScale === null)
    throw new Error(
      `exportOnnx: ${c.layer.name}: a QuantizedConv2D without a calibrated inputScale`,
    );
  const [kh, kw, cin, cout] = p.kernel.shape as [number, number, number, number];
  // Keras kernel [kh, kw, in, out] → ONNX [out, in, kh, kw], int8 as it is.
  const w = permute(
    Float32Array.from(p.kernel.data as Int8Array),
    [kh, kw, cin, cout],
    [3, 2, 0, 1],
  );
  const x = b.op('Transpose', [c.inputs[0]!], { perm: NHWC_TO_NCHW });
  const inputs = [
    fakeQuantize(b, x, p.q.inputScale, p.q.inputZeroPoint, `${c.layer.name}/input`),
    dequantized(b, `${c.layer.name}/kernel`, Int8Array.from(w.data), w.shape, p.scales, 0),
  ];
  const bias = biasInput(c, p, 0);
  if (bias) inputs.push(bias);
  const padding = config['padding'];
  const y = b.op('Conv', inputs, {
    kernel_shape: [kh, kw],
    strides: config['strides'] as number[],
    dilations: config['dilationRate'] as number[],
    auto_pad: padding === 'same' ? 'SAME_UPPER' : 'VALID',
  });
  return [b.op('Transpose', [output(c, p, y)], { perm: NCHW_TO_NHWC })];
}

function quantizedDense(c: ExportContext): string[] {
  const { b } = c;
  const p = parts(c);
  const [inDim, units] = p.kernel.shape as [number, number];
  const name = c.layer.name;
  if (p.q.inputScale === null) {
    // Dynamic: the batch's own range, as Keel's quantizeUint8 (ONNX's DynamicQuantizeLinear rule).
    const [xq, xs, xz] = b.node('DynamicQuantizeLinear', [c.inputs[0]!], {}, 3);
    const w = b.ints(`${name}/kernel`, p.kernel.data as Int8Array, [inDim, units]);
    const acc = b.op('MatMulInteger', [xq!, w, xz!]);
    const scale = b.op('Mul', [xs!, b.floats(`${name}/kernel_scale`, p.scales, [units])]);
    let y = b.op('Mul', [b.op('Cast', [acc], { to: 1 }), scale]);
    if (p.bias) y = b.op('Add', [y, b.weight(`${name}/bias`, p.bias)]);
    return [exportActivation(b, p.activation, y)];
  }
  const x = fakeQuantize(b, c.inputs[0]!, p.q.inputScale, p.q.inputZeroPoint, `${name}/input`);
  const w = dequantized(
    b,
    `${name}/kernel`,
    p.kernel.data as Int8Array,
    [inDim, units],
    p.scales,
    1,
  );
  let y = b.op('MatMul', [x, w]);
  const bias = biasInput(c, p, 0);
  if (bias) y = b.op('Add', [y, bias]);
  return [output(c, p, y)];
}

export const QUANTIZED_LAYER_EXPORTERS: Readonly<Record<string, LayerExporter>> = {
  QuantizedConv2D: quantizedConv2d,
  QuantizedDense: quantizedDense,
};
