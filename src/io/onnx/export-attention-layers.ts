import type { ExportContext, LayerExporter } from './export-layers.js';

/** Keras's -1e9 added to masked scores, as in BaseAttention. */
const MASKED = 1e9;

/** Scores [B, Tq, Tv] of Attention (dot or concat) and AdditiveAttention, from MatMul/Add/Tanh. */
function scores(c: ExportContext, q: string, k: string): string {
  const { b, config } = c;
  const ws = [...c.weights];
  const name = c.layer.name;
  const className = (c.layer.constructor as unknown as { className: string }).className;
  const scale = config['useScale'] ? b.weight(`${name}/scale`, ws.shift()!) : null;
  if (className === 'Attention' && config['scoreMode'] === 'dot') {
    const s = b.op('MatMul', [q, b.op('Transpose', [k], { perm: [0, 2, 1] })]);
    return scale ? b.op('Mul', [s, scale]) : s;
  }
  // [B, Tq, 1, d] + [B, 1, Tv, d]
  let pair = b.op('Add', [
    b.op('Unsqueeze', [q, b.int64s('axes', [2])]),
    b.op('Unsqueeze', [k, b.int64s('axes', [1])]),
  ]);
  if (className === 'Attention') {
    if (scale) pair = b.op('Mul', [pair, scale]);
    const summed = b.op('ReduceSum', [b.op('Tanh', [pair]), b.int64s('axes', [-1])], {
      keepdims: 0,
    });
    return b.op('Mul', [summed, b.weight(`${name}/concat_score_weight`, ws.shift()!)]);
  }
  const t = b.op('Tanh', [pair]);
  return b.op('ReduceSum', [scale ? b.op('Mul', [t, scale]) : t, b.int64s('axes', [-1])], {
    keepdims: 0,
  });
}

/**
 * Attention and AdditiveAttention: softmax(scores) · value, dropout as identity; a causal mask
 * (known Tq and Tv) as a constant added to the scores; returnAttentionScores adds the weights.
 * ONNX has no masks, so the inputs' masks are refused by the exporter before this runs.
 */
function attention(c: ExportContext): string[] {
  const { b } = c;
  for (const key of ['mask', 'queryMask', 'valueMask'])
    if (c.kwargs[key])
      throw new Error(
        `exportOnnx: ${c.layer.name}: a call with ${key} has no ONNX conversion (ONNX has no masks)`,
      );
  const [q, v, k = v] = c.inputs as [string, string, string?];
  let s = scores(c, q, k!);
  if (c.kwargs['useCausalMask']) {
    const tq = c.shapes[0]![1];
    const tv = c.shapes[1]![1];
    if (typeof tq !== 'number' || typeof tv !== 'number')
      throw new Error(
        `exportOnnx: ${c.layer.name}: useCausalMask needs known query and value lengths, got Tq=${tq ?? 'None'}, Tv=${tv ?? 'None'}`,
      );
    const bias = new Float32Array(tq * tv);
    for (let i = 0; i < tq; i++) for (let j = i + 1; j < tv; j++) bias[i * tv + j] = -MASKED;
    s = b.op('Add', [s, b.floats(`${c.layer.name}/causal_mask`, bias, [1, tq, tv])]);
  }
  const weights = b.op('Softmax', [s], { axis: -1 });
  const out = b.op('MatMul', [weights, v!]);
  return c.kwargs['returnAttentionScores'] ? [out, weights] : [out];
}

/** Converters of Attention and AdditiveAttention. */
export const ATTENTION_LAYER_EXPORTERS: Readonly<Record<string, LayerExporter>> = {
  Attention: attention,
  AdditiveAttention: attention,
};
