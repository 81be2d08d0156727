import { Model } from '../../models/model.js';
import type { Layer } from '../../nn/engine/layer.js';
import type { SymbolicTensor } from '../../nn/engine/symbolic-tensor.js';
import { Activation } from '../../nn/layers/activation.js';
import { Concatenate } from '../../nn/layers/concatenate.js';
import { Dense } from '../../nn/layers/dense.js';
import { Dot } from '../../nn/layers/dot.js';
import { Input, inputLayerOf } from '../../nn/layers/input-layer.js';
import type { MultiHeadAttention } from '../../nn/layers/multi-head-attention.js';
import { deserializeLayer, serializeLayer } from '../../nn/layers/registry.js';
import { Tensor } from '../../tensor/tensor.js';

const className = (l: Layer) => (l.constructor as typeof Layer).className;

/**
 * tfjs-layers 4.22 ships MultiHeadAttention in its source tree but neither exports it nor
 * registers it with `tf.serialization`, so `tf.loadLayersModel` fails with "Unknown layer:
 * MultiHeadAttention". This rewrites each MultiHeadAttention call as layers tfjs has, with the
 * same result: per head h, q_h = Dense(keyDim)(query) with 1/√keyDim folded into its weights,
 * k_h and v_h likewise, p_h = softmax(Dot([2, 2])([q_h, k_h])), o_h = Dot([2, 1])([p_h, v_h]);
 * then Concatenate(o_h) → Dense(out) named as the attention layer. Other layers are copied.
 */
export function expandAttention(model: Model): Model {
  const graph = model.graph;
  if (!graph?.calls.some((c) => className(c.layer) === 'MultiHeadAttention')) return model;
  const map = new Map<SymbolicTensor, SymbolicTensor>();
  const inputs = graph.inputs.map((t) => {
    const name = inputLayerOf(t)?.name ?? t.name;
    const copy = Input({ batchShape: t.shape, dtype: t.dtype, name });
    map.set(t, copy);
    return copy;
  });
  for (const call of graph.calls) {
    const xs = call.inputs.map((t) => map.get(t)!);
    let ys: SymbolicTensor[];
    if (className(call.layer) === 'MultiHeadAttention') {
      ys = [attentionAsLayers(call.layer as MultiHeadAttention, xs, call.kwargs)];
    } else {
      const copy = deserializeLayer(serializeLayer(call.layer));
      const out =
        xs.length === 1
          ? copy.apply(xs[0]!, { ...call.kwargs })
          : copy.apply(xs, { ...call.kwargs });
      copy.setWeights(call.layer.getWeights());
      ys = (Array.isArray(out) ? out : [out]) as SymbolicTensor[];
    }
    call.outputs.forEach((t, i) => {
      map.set(t, ys[i]!);
    });
  }
  const outputs = graph.outputs.map((t) => map.get(t)!);
  return new Model({
    inputs: inputs.length === 1 ? inputs[0]! : inputs,
    outputs: outputs.length === 1 ? outputs[0]! : outputs,
    name: model.name,
  });
}

function attentionAsLayers(
  mha: MultiHeadAttention,
  xs: SymbolicTensor[],
  kwargs: Readonly<Record<string, unknown>>,
): SymbolicTensor {
  const label = `toTfjsArtifacts: MultiHeadAttention '${mha.name}'`;
  if (mha.useRotaryEmbedding)
    throw new Error(
      `${label}: rotary embeddings have no tfjs layer (tfjs has no MultiHeadAttention)`,
    );
  for (const k of ['attentionMask', 'useCausalMask', 'returnAttentionScores'])
    if (kwargs[k]) throw new Error(`${label}: a call with ${k} cannot be written as tfjs layers`);
  const [query, value = query, key = value] = xs as [
    SymbolicTensor,
    SymbolicTensor?,
    SymbolicTensor?,
  ];
  const H = mha.numHeads;
  const K = mha.keyDim;
  const V = mha.valueDim;
  const w = mha.getWeights();
  const take = () => w.shift()!;
  const proj = (what: string, e: number, scale: number) => {
    const kernel = take();
    const bias = mha.useBias ? take() : null;
    const d = kernel.shape[0]!;
    return Array.from({ length: H }, (_, h) => {
      const k = new Float32Array(d * e);
      for (let r = 0; r < d; r++)
        for (let c = 0; c < e; c++) k[r * e + c] = kernel.data[(r * H + h) * e + c]! * scale;
      const weights = [new Tensor(k, [d, e], 'float32')];
      if (bias)
        weights.push(
          new Tensor(
            Float32Array.from({ length: e }, (_, c) => bias.data[h * e + c]! * scale),
            [e],
            'float32',
          ),
        );
      return { weights, name: `${mha.name}_${what}_${h}` };
    });
  };
  const qs = proj('query', K, 1 / Math.sqrt(K));
  const ks = proj('key', K, 1);
  const vs = proj('value', V, 1);
  const dense = (units: number, spec: { weights: Tensor[]; name: string }, x: SymbolicTensor) => {
    const layer = new Dense(units, { useBias: mha.useBias, name: spec.name });
    const y = layer.apply(x) as SymbolicTensor;
    layer.setWeights(spec.weights);
    return y;
  };
  const heads = qs.map((q, h) => {
    const scores = new Dot({ axes: [2, 2], name: `${mha.name}_scores_${h}` }).apply([
      dense(K, q, query),
      dense(K, ks[h]!, key),
    ]) as SymbolicTensor;
    const probs = new Activation('softmax', { name: `${mha.name}_softmax_${h}` }).apply(scores);
    return new Dot({ axes: [2, 1], name: `${mha.name}_attend_${h}` }).apply([
      probs as SymbolicTensor,
      dense(V, vs[h]!, value),
    ]) as SymbolicTensor;
  });
  const merged =
    heads.length === 1
      ? heads[0]!
      : (new Concatenate({ axis: -1, name: `${mha.name}_heads` }).apply(heads) as SymbolicTensor);
  const wo = take();
  const bo = mha.useBias ? take() : null;
  const out = wo.shape[2]!;
  const layer = new Dense(out, { useBias: mha.useBias, name: mha.name });
  const y = layer.apply(merged) as SymbolicTensor;
  layer.setWeights([
    new Tensor(wo.data as Float32Array, [H * V, out], 'float32'),
    ...(bo ? [bo] : []),
  ]);
  return y;
}
