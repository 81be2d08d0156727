/**
 * A served model's signature: its inputs and outputs with names, shapes (null for any size;
 * the first axis is the batch) and dtypes, read from the model's graph. Requests are validated
 * against it before anything reaches a worker. Language models (those with `callWithCache`,
 * such as GPT) have a `languageModel` entry instead of tensor inputs.
 */
import type { Model } from '../../models/model.js';
import type { DType } from '../../tensor/dtype.js';

export interface TensorSpec {
  name: string;
  shape: (number | null)[];
  dtype: DType;
}

export interface ModelSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  languageModel?: { vocabularySize: number; sequenceLength: number };
}

/** Dtypes a request may send (what the kernels take as model inputs). */
export const SERVABLE_DTYPES: readonly DType[] = ['float32', 'int32'];

export function signatureOf(model: Model, source: string): ModelSignature {
  const lm = languageModelConfig(model);
  if (lm) return { inputs: [], outputs: [], languageModel: lm };
  const graph = model.graph;
  if (!graph) {
    throw new Error(
      `${source}: model '${model.name}' has no input signature (a subclassed model saved without inputShapes cannot be served by predict)`,
    );
  }
  // A Sequential's input gets a fresh automatic name at every load (input_layer_N): call it
  // 'input', so that the name clients send does not change when a version is reloaded.
  const names = unique(
    graph.inputs.map((t) => (!t.name || /^input_layer(_\d+)?$/.test(t.name) ? 'input' : t.name)),
  );
  const inputs = graph.inputs.map((t, i) => ({
    name: names[i]!,
    shape: [...t.shape],
    dtype: t.dtype,
  }));
  for (const spec of inputs) {
    if (!SERVABLE_DTYPES.includes(spec.dtype)) {
      throw new Error(`${source}: input '${spec.name}' has dtype ${spec.dtype}, not servable`);
    }
  }
  const outNames = unique(model.outputNames);
  const outputs = graph.outputs.map((t, i) => ({
    name: outNames[i]!,
    shape: [...t.shape],
    dtype: t.dtype,
  }));
  return { inputs, outputs };
}

function languageModelConfig(model: Model): ModelSignature['languageModel'] {
  const m = model as unknown as {
    callWithCache?: unknown;
    config?: { vocabularySize?: unknown; sequenceLength?: unknown };
  };
  if (typeof m.callWithCache !== 'function') return undefined;
  const { vocabularySize, sequenceLength } = m.config ?? {};
  if (typeof vocabularySize !== 'number' || typeof sequenceLength !== 'number') return undefined;
  return { vocabularySize, sequenceLength };
}

function unique(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = seen.get(n) ?? 0;
    seen.set(n, k + 1);
    return k === 0 ? n : `${n}_${k}`;
  });
}
