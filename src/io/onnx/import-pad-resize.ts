import { attr, channelsFirst, type ImportContext, type NodeImporter } from './import-context.js';
import type { OnnxNode } from './schema.js';

/** A list input given by name, or null when absent or empty (Resize's unused roi/scales). */
function listInput(c: ImportContext, node: OnnxNode, i: number, what: string): number[] | null {
  const name = node.input[i];
  if (!name) return null;
  const t = c.constant(name, what);
  return t.size === 0 ? null : Array.from(t.data, Number);
}

/**
 * Opset 18's `axes`: per-axis values given for some axes only → values for all `r` axes (pads:
 * two per axis, begins then ends; scales/sizes: one), the others `fill`.
 */
function onAllAxes(
  axes: number[],
  values: number[],
  r: number,
  fill: number,
  what: 'pads' | 'values',
): number[] {
  const per = what === 'pads' ? 2 : 1;
  if (values.length !== per * axes.length)
    throw new Error(`${values.length} ${what} given for ${axes.length} axes [${axes}]`);
  const out = new Array<number>(per * r).fill(fill);
  axes.forEach((a0, i) => {
    const a = a0 < 0 ? a0 + r : a0;
    if (a < 0 || a >= r) throw new Error(`axis ${a0} is out of range for rank ${r}`);
    out[a] = values[i]!;
    if (per === 2) out[a + r] = values[i + axes.length]!;
  });
  return out;
}

const floatsAttr = (node: OnnxNode, name: string) => {
  const v = attr(node, name);
  return Array.isArray(v) ? (v as number[]) : null;
};

/**
 * Pad with zeros along the spatial axes of a channels-first 3-D or 4-D tensor → ZeroPadding1D/2D.
 * Pads and value are attributes before opset 11 (`paddings` in opset 1) and inputs from 11 on.
 */
const pad: NodeImporter = (c, node) => {
  const x = c.tensor(node.input[0]);
  const r = x.t.shape.length;
  const mode = String(attr(node, 'mode') ?? 'constant');
  if (mode !== 'constant')
    throw new Error(`mode '${mode}' is not supported (only 'constant' padding with zeros)`);
  const value = node.input[2]
    ? c.constant(node.input[2], 'the pad value').data[0]
    : ((attr(node, 'value') as number | undefined) ?? 0);
  if (value !== 0) throw new Error(`only a pad value of 0 is supported, got ${value}`);
  let pads =
    listInput(c, node, 1, 'the pads') ??
    floatsAttr(node, 'pads') ??
    (attr(node, 'paddings') as number[] | undefined) ??
    [];
  // Opset 18: pads for the listed axes only (begins, then ends).
  const axes = listInput(c, node, 3, 'the axes');
  if (axes) pads = onAllAxes(axes, pads, r, 0, 'pads');
  if (pads.length !== 2 * r)
    throw new Error(`pads [${pads}] must have ${2 * r} entries for rank ${r}`);
  if (pads.some((p) => p < 0))
    throw new Error(`negative pads [${pads}] (cropping) are not supported`);
  if (pads[0] || pads[1] || pads[r] || pads[r + 1])
    throw new Error(
      `only the spatial axes of [batch, channels, ...] may be padded, pads [${pads}]`,
    );
  if (r !== 3 && r !== 4) throw new Error(`only 3-D and 4-D tensors are padded, got rank ${r}`);
  const edges = Array.from({ length: r - 2 }, (_, i) => [pads[i + 2]!, pads[r + i + 2]!] as const);
  const y = c.apply(
    r === 4 ? 'ZeroPadding2D' : 'ZeroPadding1D',
    { padding: r === 4 ? edges : edges[0] },
    [c.inLayout(x, channelsFirst(r))],
  );
  c.set(node.output[0]!, { t: y, perm: channelsFirst(r) });
};

/**
 * Upsample (opsets 7–9) and Resize (10+) by integer factors along the spatial axes →
 * UpSampling1D/2D: 'nearest' (asymmetric/floor as PyTorch exports it, or half-pixel with the
 * default rounding, which pick the same pixels at integer factors), and 'linear' with half-pixel
 * centers (PyTorch's bilinear with align_corners=False) → interpolation 'bilinear', or with
 * asymmetric coordinates (Upsample at opset 9, Resize at 10) → 'bilinear' without half-pixel centers.
 */
const resize: NodeImporter = (c, node) => {
  const x = c.tensor(node.input[0]);
  const r = x.t.shape.length;
  const onnxShape = x.perm ? x.perm.map((p) => x.t.shape[p] ?? null) : [...x.t.shape];
  let scales =
    node.opType === 'Upsample'
      ? (listInput(c, node, 1, 'the scales') ?? floatsAttr(node, 'scales'))
      : node.input.length <= 2
        ? listInput(c, node, 1, 'the scales')
        : listInput(c, node, 2, 'the scales');
  // Opset 18: scales or sizes for the listed axes only.
  const axes = attr(node, 'axes') as number[] | undefined;
  if (scales && axes) scales = onAllAxes(axes, scales, r, 1, 'values');
  if (!scales && node.input[3]) {
    const given = listInput(c, node, 3, 'the sizes') ?? [];
    const sizes = axes ? onAllAxes(axes, given, r, 0, 'values') : given;
    scales = sizes.map((s, i) => {
      const d = onnxShape[i];
      if (i < 2 || (axes && s === 0)) return 1;
      if (d === null || d === undefined) throw new Error(`sizes [${given}] need known input dims`);
      return s / d;
    });
    // keep_aspect_ratio_policy (opset 18): one scale for every resized axis, the smallest
    // ('not_larger') or largest ('not_smaller'); the output size is then rounded.
    const policy = String(attr(node, 'keep_aspect_ratio_policy') ?? 'stretch');
    if (policy !== 'stretch') {
      const resized = scales.slice(2);
      const one = policy === 'not_larger' ? Math.min(...resized) : Math.max(...resized);
      if (policy !== 'not_larger' && policy !== 'not_smaller')
        throw new Error(`keep_aspect_ratio_policy '${policy}' is not supported`);
      scales = scales.map((s, i) => (i < 2 ? s : one));
    }
  }
  if (!scales || scales.length !== r) throw new Error(`needs ${r} scales, got [${scales ?? []}]`);
  if (scales[0] !== 1 || scales[1] !== 1)
    throw new Error(`only the spatial axes may be scaled, scales [${scales}]`);
  const factors = scales.slice(2);
  if (!factors.every((s) => Number.isInteger(s) && s >= 1))
    throw new Error(`only integer upsampling factors are supported, scales [${scales}]`);
  const mode = String(attr(node, 'mode') ?? 'nearest');
  const coord = String(
    attr(node, 'coordinate_transformation_mode') ??
      (node.opType === 'Resize' && node.input.length > 2 ? 'half_pixel' : 'asymmetric'),
  );
  const nearestMode = String(attr(node, 'nearest_mode') ?? 'round_prefer_floor');
  let interpolation: 'nearest' | 'bilinear';
  let halfPixelCenters = true;
  if (mode === 'nearest') {
    const ok =
      (coord === 'asymmetric' && (nearestMode === 'floor' || node.input.length <= 2)) ||
      ((coord === 'half_pixel' || coord === 'pytorch_half_pixel') &&
        nearestMode === 'round_prefer_floor');
    if (!ok)
      throw new Error(
        `mode 'nearest' with coordinate_transformation_mode '${coord}' and nearest_mode '${nearestMode}' is not supported`,
      );
    interpolation = 'nearest';
  } else if (mode === 'linear' || mode === 'bilinear') {
    if (coord === 'asymmetric') halfPixelCenters = false;
    else if (coord !== 'half_pixel' && coord !== 'pytorch_half_pixel')
      throw new Error(
        `mode '${mode}' with coordinate_transformation_mode '${coord}' is not supported (UpSampling2D interpolates with half-pixel centers or asymmetric ones)`,
      );
    if (r !== 4) throw new Error('linear resizing is supported for 4-D tensors only');
    interpolation = 'bilinear';
  } else throw new Error(`mode '${mode}' is not supported (nearest, linear)`);
  if (r !== 3 && r !== 4) throw new Error(`only 3-D and 4-D tensors are resized, got rank ${r}`);
  const y =
    r === 4
      ? c.apply(
          'UpSampling2D',
          { size: factors, interpolation, ...(halfPixelCenters ? {} : { halfPixelCenters }) },
          [c.inLayout(x, channelsFirst(4))],
        )
      : c.apply('UpSampling1D', { size: factors[0] }, [c.inLayout(x, channelsFirst(3))]);
  c.set(node.output[0]!, { t: y, perm: channelsFirst(r) });
};

/** Spatial padding and resizing: ONNX op type → importer. */
export const PAD_RESIZE_IMPORTERS: Readonly<Record<string, NodeImporter>> = {
  Pad: pad,
  Upsample: resize,
  Resize: resize,
};
