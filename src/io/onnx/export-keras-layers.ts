import type { OnnxBuilder } from './builder.js';
import type { ExportContext, LayerExporter } from './export-layers.js';

/** A Reduce* node over `axes` (an attribute before opset 18, an input from 18 on). */
function reduce(b: OnnxBuilder, op: string, x: string, axes: number[], keepdims = 1): string {
  if (b.opset >= 18) return b.op(op, [x, b.int64s('axes', axes)], { keepdims });
  return b.op(op, [x], { axes, keepdims });
}

const edges = (c: ExportContext) =>
  c.config[c.config['padding'] !== undefined ? 'padding' : 'cropping'];

/** [[before, after], ...] per spatial axis from a ZeroPadding/Cropping config (1-D: [before, after]). */
function pairs(c: ExportContext): [number, number][] {
  const e = edges(c) as [number, number] | [number, number][];
  return typeof e[0] === 'number' ? [e as [number, number]] : (e as [number, number][]);
}

function zeroPadding(c: ExportContext): string[] {
  const p = pairs(c);
  const pads = [0, ...p.map((e) => e[0]), 0, 0, ...p.map((e) => e[1]), 0];
  return [c.b.op('Pad', [c.inputs[0]!, c.b.int64s('pads', pads)], { mode: 'constant' })];
}

function cropping(c: ExportContext): string[] {
  const p = pairs(c);
  const { b } = c;
  // An end of 0 cells cropped is "to the end": the largest int64 ONNX accepts there.
  const ends = p.map((e) => (e[1] === 0 ? Number.MAX_SAFE_INTEGER : -e[1]));
  const axes = p.map((_, i) => i + 1);
  const starts = b.int64s(
    'starts',
    p.map((e) => e[0]),
  );
  return [b.op('Slice', [c.inputs[0]!, starts, b.int64s('ends', ends), b.int64s('axes', axes)])];
}

/** Resize by integer factors: nearest repeats (asymmetric, floor), linear uses half-pixel centers. */
function upsampling(c: ExportContext): string[] {
  const { b, config } = c;
  const size = typeof config['size'] === 'number' ? [config['size']] : (config['size'] as number[]);
  const x = c.inputs[0]!;
  if (config['interpolation'] !== 'bilinear') {
    const scales = b.floats('scales', [1, ...size, 1], [size.length + 2]);
    const attrs = {
      mode: 'nearest',
      coordinate_transformation_mode: 'asymmetric',
      nearest_mode: 'floor',
    };
    return [b.op('Resize', [x, '', scales], attrs)];
  }
  // Linear resize on NCHW, the layout every runtime implements.
  const nchw = b.op('Transpose', [x], { perm: [0, 3, 1, 2] });
  const scales = b.floats('scales', [1, 1, ...size], [4]);
  const y = b.op('Resize', [nchw, '', scales], {
    mode: 'linear',
    // tfjs's variant (halfPixelCenters false) samples at i / factor: ONNX's asymmetric mode.
    coordinate_transformation_mode:
      config['halfPixelCenters'] === false ? 'asymmetric' : 'half_pixel',
  });
  return [b.op('Transpose', [y], { perm: [0, 2, 3, 1] })];
}

function repeatVector(c: ExportContext): string[] {
  const { b } = c;
  const x = b.op('Unsqueeze', [c.inputs[0]!, b.int64s('axes', [1])]);
  return [b.op('Expand', [x, b.int64s('shape', [1, c.config['n'] as number, 1])])];
}

function unitNormalization(c: ExportContext): string[] {
  const { b } = c;
  const x = c.inputs[0]!;
  const axis = c.config['axis'] as number | number[];
  const axes = typeof axis === 'number' ? [axis] : axis;
  const inv = b.op('Reciprocal', [b.op('Sqrt', [reduce(b, 'ReduceSumSquare', x, axes)])]);
  return [b.op('Mul', [x, b.op('Min', [inv, b.floats('max_inverse_norm', [1e12], [])])])];
}

/** Group norm from primitives: [batch, rest, groups, C/groups] moments, then gamma and beta per channel. */
function groupNormalization(c: ExportContext): string[] {
  const { b, config } = c;
  const r = c.shapes[0]!.length;
  const axis =
    (config['axis'] as number) < 0 ? (config['axis'] as number) + r : (config['axis'] as number);
  const groups = config['groups'] as number;
  const channels = c.shapes[0]![axis] as number;
  const perm = axis === r - 1 ? null : [...Array(r).keys()].filter((d) => d !== axis).concat(axis);
  const x = perm ? b.op('Transpose', [c.inputs[0]!], { perm }) : c.inputs[0]!;
  const grouped = b.op('Reshape', [x, b.int64s('shape', [0, -1, groups, channels / groups])]);
  const mean = reduce(b, 'ReduceMean', grouped, [1, 3]);
  const centered = b.op('Sub', [grouped, mean]);
  const variance = reduce(b, 'ReduceMean', b.op('Mul', [centered, centered]), [1, 3]);
  const eps = b.floats('epsilon', [config['epsilon'] as number], []);
  const normalized = b.op('Div', [centered, b.op('Sqrt', [b.op('Add', [variance, eps])])]);
  let y = b.op('Reshape', [normalized, b.op('Shape', [x])]);
  const ws = [...c.weights];
  if (config['scale']) y = b.op('Mul', [y, b.weight(`${c.layer.name}/gamma`, ws.shift()!)]);
  if (config['center']) y = b.op('Add', [y, b.weight(`${c.layer.name}/beta`, ws.shift()!)]);
  if (!perm) return [y];
  return [b.op('Transpose', [y], { perm: perm.map((_, i) => perm.indexOf(i)) })];
}

function rescaling(c: ExportContext): string[] {
  const { b, config } = c;
  const constant = (name: string, v: number | number[]) =>
    typeof v === 'number' ? b.floats(name, [v], []) : b.floats(name, v, [v.length]);
  const y = b.op('Mul', [c.inputs[0]!, constant('scale', config['scale'] as number | number[])]);
  const offset = config['offset'] as number | number[];
  return [offset === 0 ? y : b.op('Add', [y, constant('offset', offset)])];
}

/** (x - mean) / max(sqrt(variance), 1e-7), the statistics folded into two constants. */
function normalization(c: ExportContext): string[] {
  const { b, config } = c;
  const shape = c.shapes[0]!;
  const keep = (config['axis'] as number[]).map((a) => (a < 0 ? a + shape.length : a));
  const dims = shape.map((d, i) => (keep.includes(i) ? (d as number) : 1));
  const stat = (w: number, key: string) => {
    const v =
      c.weights.length > 0 ? [...c.weights[w]!.data] : [config[key] as number | number[]].flat();
    return v.length === 1 ? { v, dims: [] as number[] } : { v, dims };
  };
  const mean = stat(0, 'mean');
  const variance = stat(1, 'variance');
  const std = variance.v.map((u) => Math.max(Math.sqrt(u), 1e-7));
  const m = b.floats(`${c.layer.name}/mean`, mean.v, mean.dims);
  const s = b.floats(`${c.layer.name}/std`, std, variance.dims);
  const x = c.inputs[0]!;
  if (config['invert']) return [b.op('Add', [m, b.op('Mul', [x, s])])];
  return [b.op('Div', [b.op('Sub', [x, m]), s])];
}

const identity: LayerExporter = (c) => [c.b.op('Identity', [c.inputs[0]!])];

/** Converters of the Keras reshaping, merging, regularization and normalization layers. */
export const KERAS_LAYER_EXPORTERS: Readonly<Record<string, LayerExporter>> = {
  ZeroPadding1D: zeroPadding,
  ZeroPadding2D: zeroPadding,
  Cropping1D: cropping,
  Cropping2D: cropping,
  UpSampling1D: upsampling,
  UpSampling2D: upsampling,
  RepeatVector: repeatVector,
  Subtract: (c) => [c.b.op('Sub', c.inputs)],
  Average: (c) => [c.b.op('Mean', c.inputs)],
  Maximum: (c) => [c.b.op('Max', c.inputs)],
  Minimum: (c) => [c.b.op('Min', c.inputs)],
  SpatialDropout1D: identity,
  SpatialDropout2D: identity,
  GaussianDropout: identity,
  GaussianNoise: identity,
  AlphaDropout: identity,
  UnitNormalization: unitNormalization,
  GroupNormalization: groupNormalization,
  Rescaling: rescaling,
  Normalization: normalization,
};
