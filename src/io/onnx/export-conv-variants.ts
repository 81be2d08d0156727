import { transposeAxis } from '../../nn/layers/internal/conv-transpose.js';
import { permute } from './builder.js';
import { type ExportContext, exportActivation, type LayerExporter } from './export-layers.js';

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

/** DepthwiseConv2D as a grouped Conv (group = in channels, weight [in·m, 1, kh, kw]). */
function depthwiseConv2d(c: ExportContext): string[] {
  const { b, config } = c;
  const [k, bias] = c.weights;
  const [kh, kw, cin, m] = k!.shape as [number, number, number, number];
  const w = permute(k!.data as Float32Array, [kh, kw, cin * m], [2, 0, 1]);
  const inputs = [
    b.op('Transpose', [c.inputs[0]!], { perm: NHWC_TO_NCHW }),
    b.floats(`${c.layer.name}/kernel`, w.data, [cin * m, 1, kh, kw]),
  ];
  if (bias) inputs.push(b.weight(`${c.layer.name}/bias`, bias));
  const y = b.op('Conv', inputs, {
    group: cin,
    kernel_shape: [kh, kw],
    strides: config['strides'] as number[],
    dilations: config['dilationRate'] as number[],
    auto_pad: config['padding'] === 'same' ? 'SAME_UPPER' : 'VALID',
  });
  return [
    exportActivation(b, config['activation'], b.op('Transpose', [y], { perm: NCHW_TO_NHWC })),
  ];
}

/** Conv2DTranspose as ConvTranspose with Keras's padding rule as explicit pads and output_padding. */
function conv2dTranspose(c: ExportContext): string[] {
  const { b, config } = c;
  const [k, bias] = c.weights;
  const strides = config['strides'] as number[];
  const dilations = config['dilationRate'] as number[];
  const kernel = config['kernelSize'] as number[];
  const op = config['outputPadding'] as number[] | null;
  const axes = c.shapes[0]!.slice(1, 3).map((d, i) => {
    if (d === null)
      throw new Error(`exportOnnx: ${c.layer.name}: Conv2DTranspose needs known height and width`);
    return transposeAxis(
      d,
      kernel[i]!,
      strides[i]!,
      dilations[i]!,
      config['padding'] as 'valid' | 'same',
      op?.[i] ?? null,
    );
  });
  const inputs = [
    b.op('Transpose', [c.inputs[0]!], { perm: NHWC_TO_NCHW }),
    b.weight(`${c.layer.name}/kernel`, k!, [3, 2, 0, 1]),
  ];
  if (bias) inputs.push(b.weight(`${c.layer.name}/bias`, bias));
  const y = b.op('ConvTranspose', inputs, {
    kernel_shape: kernel,
    strides,
    dilations,
    pads: [...axes.map((a) => a.before), ...axes.map((a) => a.after)],
    output_padding: axes.map((a) => a.extra),
  });
  return [
    exportActivation(b, config['activation'], b.op('Transpose', [y], { perm: NCHW_TO_NHWC })),
  ];
}

/** Converters of DepthwiseConv2D and Conv2DTranspose. */
export const CONV_VARIANT_EXPORTERS: Readonly<Record<string, LayerExporter>> = {
  DepthwiseConv2D: depthwiseConv2d,
  Conv2DTranspose: conv2dTranspose,
};
