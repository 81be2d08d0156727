import { transposeAxis } from '../../nn/layers/internal/conv-transpose.js';
import { type AttrValue, permute } from './builder.js';
import { type ExportContext, exportActivation, type LayerExporter } from './export-layers.js';

/** [0, r-1, 1, ..., r-2]: channels last → channels first, and its inverse. */
const toChannelsFirst = (r: number) => [
  0,
  r - 1,
  ...Array.from({ length: r - 2 }, (_, i) => i + 1),
];
const toChannelsLast = (r: number) => [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1];

function depthwisePadding(
  c: ExportContext,
  kernel: number[],
  dilations: number[],
): Record<string, AttrValue> {
  const padding = c.config['padding'];
  if (padding === 'same') return { auto_pad: 'SAME_UPPER' };
  if (padding === 'valid') return { auto_pad: 'VALID' };
  if (padding === 'causal') return { pads: [(kernel[0]! - 1) * dilations[0]!, 0] };
  throw new Error(
    `exportOnnx: ${c.layer.name}: padding '${String(padding)}' has no ONNX conversion`,
  );
}

/**
 * The depthwise step of DepthwiseConv2D and SeparableConv1D/2D as a grouped Conv (group = in
 * channels, weight [in·m, 1, ...kernel]) on channels-first data; returns channels-last output.
 */
function depthwise(c: ExportContext, bias: boolean): string {
  const { b, config } = c;
  const k = c.weights[0]!;
  const n = k.rank - 2;
  const kernel = k.shape.slice(0, n);
  const [cin, m] = k.shape.slice(n) as [number, number];
  const w = permute(k.data as Float32Array, [...kernel, cin * m], [n, ...kernel.keys()]);
  const dilations = config['dilationRate'] as number[];
  const inputs = [
    b.op('Transpose', [c.inputs[0]!], { perm: toChannelsFirst(n + 2) }),
    b.floats(`${c.layer.name}/depthwise_kernel`, w.data, [cin * m, 1, ...kernel]),
  ];
  if (bias && c.weights[1]) inputs.push(b.weight(`${c.layer.name}/bias`, c.weights[1]));
  const y = b.op('Conv', inputs, {
    group: cin,
    kernel_shape: kernel,
    strides: config['strides'] as number[],
    dilations,
    ...depthwisePadding(c, kernel, dilations),
  });
  return b.op('Transpose', [y], { perm: toChannelsLast(n + 2) });
}

/** DepthwiseConv2D as a grouped Conv with its bias. */
function depthwiseConv(c: ExportContext): string[] {
  return [exportActivation(c.b, c.config['activation'], depthwise(c, true))];
}

/** SeparableConv1D/2D: the grouped Conv, then the pointwise kernel as a MatMul over channels. */
function separableConv(c: ExportContext): string[] {
  const { b } = c;
  const [, pointwise, bias] = c.weights;
  const [cin, cout] = pointwise!.shape.slice(-2) as [number, number];
  let y = b.op('MatMul', [
    depthwise(c, false),
    b.floats(`${c.layer.name}/pointwise_kernel`, pointwise!.data as Float32Array, [cin, cout]),
  ]);
  if (bias) y = b.op('Add', [y, b.weight(`${c.layer.name}/bias`, bias)]);
  return [exportActivation(b, c.config['activation'], y)];
}

/** Conv1D/2DTranspose as ConvTranspose with Keras's padding rule as explicit pads and output_padding. */
function convTranspose(c: ExportContext): string[] {
  const { b, config } = c;
  const [k, bias] = c.weights;
  const n = k!.rank - 2;
  const strides = config['strides'] as number[];
  const dilations = config['dilationRate'] as number[];
  const kernel = config['kernelSize'] as number[];
  const op = config['outputPadding'] as number[] | null;
  const cls = n === 1 ? 'Conv1DTranspose' : 'Conv2DTranspose';
  const axes = c.shapes[0]!.slice(1, n + 1).map((d, i) => {
    if (d === null)
      throw new Error(`exportOnnx: ${c.layer.name}: ${cls} needs known spatial sizes, got None`);
    return transposeAxis(
      d,
      kernel[i]!,
      strides[i]!,
      dilations[i]!,
      config['padding'] as 'valid' | 'same',
      op?.[i] ?? null,
    );
  });
  // Keras kernel [...kernel, out, in] → ONNX [in, out, ...kernel].
  const inputs = [
    b.op('Transpose', [c.inputs[0]!], { perm: toChannelsFirst(n + 2) }),
    b.weight(`${c.layer.name}/kernel`, k!, [n + 1, n, ...kernel.keys()]),
  ];
  if (bias) inputs.push(b.weight(`${c.layer.name}/bias`, bias));
  const y = b.op('ConvTranspose', inputs, {
    kernel_shape: kernel,
    strides,
    dilations,
    pads: [...axes.map((a) => a.before), ...axes.map((a) => a.after)],
    output_padding: axes.map((a) => a.extra),
  });
  const back = b.op('Transpose', [y], { perm: toChannelsLast(n + 2) });
  return [exportActivation(b, config['activation'], back)];
}

/** Converters of DepthwiseConv2D, SeparableConv1D/2D and Conv1D/2DTranspose. */
export const CONV_VARIANT_EXPORTERS: Readonly<Record<string, LayerExporter>> = {
  DepthwiseConv2D: depthwiseConv,
  SeparableConv1D: separableConv,
  SeparableConv2D: separableConv,
  Conv1DTranspose: convTranspose,
  Conv2DTranspose: convTranspose,
};
