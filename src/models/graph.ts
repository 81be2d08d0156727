import type { Layer, LayerInput } from '../nn/engine/layer.js';
import type { LayerCall, SymbolicTensor } from '../nn/engine/symbolic-tensor.js';
import { formatSymbolicShape } from '../nn/engine/symbolic-tensor.js';
import { inputLayerOf } from '../nn/layers/input-layer.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

/** The layer calls between a functional model's inputs and outputs, in an order that can be replayed. */
export interface Graph {
  readonly inputs: readonly SymbolicTensor[];
  readonly outputs: readonly SymbolicTensor[];
  /** Layer calls, every producer before its consumers. */
  readonly calls: readonly LayerCall[];
  /** Unique layers: the InputLayers in input order, then by first call. */
  readonly layers: readonly Layer[];
}

function describeTensor(t: SymbolicTensor): string {
  return `'${t.name}' ${formatSymbolicShape(t.shape)}`;
}

/**
 * Walks back from the outputs to the inputs through the recorded layer calls (iterative DFS,
 * post-order), so arbitrarily deep models do not overflow the stack.
 */
export function buildGraph(
  modelName: string,
  inputs: readonly SymbolicTensor[],
  outputs: readonly SymbolicTensor[],
): Graph {
  const inputSet = new Set(inputs);
  if (inputSet.size !== inputs.length) {
    throw new Error(`Model '${modelName}': the same tensor is listed twice among the inputs`);
  }
  const calls: LayerCall[] = [];
  const visited = new Set<LayerCall>();
  for (const output of outputs) {
    if (inputSet.has(output)) continue;
    const stack: { tensor: SymbolicTensor; expanded: boolean }[] = [
      { tensor: output, expanded: false },
    ];
    while (stack.length > 0) {
      const top = stack.pop()!;
      const call = top.tensor.producer;
      if (call === null) {
        const inputNames = inputs.map(describeTensor).join(', ');
        throw new Error(
          `Model '${modelName}': output ${describeTensor(output)} is not connected to the inputs: ` +
            `it depends on ${describeTensor(top.tensor)}, which is not among the model's inputs [${inputNames}]`,
        );
      }
      if (top.expanded) {
        calls.push(call);
        continue;
      }
      if (visited.has(call)) continue;
      visited.add(call);
      stack.push({ tensor: top.tensor, expanded: true });
      for (let i = call.inputs.length - 1; i >= 0; i--) {
        const t = call.inputs[i]!;
        if (!inputSet.has(t) && !(t.producer && visited.has(t.producer))) {
          stack.push({ tensor: t, expanded: false });
        }
      }
    }
  }
  const layers: Layer[] = [];
  const seen = new Set<Layer>();
  const addLayer = (layer: Layer | undefined): void => {
    if (layer && !seen.has(layer)) {
      seen.add(layer);
      layers.push(layer);
    }
  };
  for (const t of inputs) addLayer(inputLayerOf(t));
  for (const call of calls) addLayer(call.layer);
  return { inputs, outputs, calls, layers };
}

/** Throws unless `tensors` fit the graph's inputs in count and shape; names the model and the shapes. */
export function checkGraphInputs(
  modelName: string,
  graph: Graph,
  tensors: readonly Tensor[],
): void {
  const expected = graph.inputs;
  if (tensors.length !== expected.length) {
    throw new RangeError(
      `Model '${modelName}': expected ${expected.length} input${expected.length === 1 ? '' : 's'} ` +
        `[${expected.map(describeTensor).join(', ')}], got ${tensors.length}: ` +
        `[${tensors.map((t) => formatShape(t.shape)).join(', ')}]`,
    );
  }
  tensors.forEach((t, i) => {
    const want = expected[i]!.shape;
    const ok = t.rank === want.length && want.every((d, k) => d === null || d === t.shape[k]);
    if (!ok) {
      throw new RangeError(
        `Model '${modelName}': input ${i} ${describeTensor(expected[i]!)} expects shape ` +
          `${formatSymbolicShape(want)}, got ${formatShape(t.shape)}`,
      );
    }
  });
}

export interface GraphRun {
  outputs: Tensor[];
  masks: (Tensor | null)[];
}

/**
 * Replays the graph on concrete tensors: each layer is called with `training` and the mask of its
 * input (the first non-null one for multi-input layers); its `computeMask` gives the mask that
 * flows on to the next call.
 */
export function runGraph(
  graph: Graph,
  inputs: readonly Tensor[],
  training: boolean | undefined,
  inputMasks: readonly (Tensor | null)[] = [],
): GraphRun {
  const values = new Map<SymbolicTensor, Tensor>();
  const masks = new Map<SymbolicTensor, Tensor | null>();
  graph.inputs.forEach((t, i) => {
    values.set(t, inputs[i]!);
    masks.set(t, inputMasks[i] ?? null);
  });
  for (const call of graph.calls) {
    const xs = call.inputs.map((t) => values.get(t)!);
    const inMasks = call.inputs.map((t) => masks.get(t) ?? null);
    const mask = inMasks.find((m) => m !== null) ?? null;
    const arg: LayerInput = xs.length === 1 ? xs[0]! : xs;
    // Multi-input layers also see each input's mask (Attention needs the query's and the value's).
    const args = {
      ...call.kwargs,
      training,
      mask,
      ...(xs.length > 1 ? { inputMasks: inMasks } : {}),
    };
    const y = call.layer.apply(arg, args);
    const ys = Array.isArray(y) ? y : [y];
    if (ys.length !== call.outputs.length) {
      throw new Error(
        `Layer '${call.layer.name}' returned ${ys.length} tensors, but was recorded with ${call.outputs.length} outputs`,
      );
    }
    const outMask = call.layer.computeMask(arg, mask, inMasks);
    call.outputs.forEach((t, i) => {
      values.set(t, ys[i]!);
      masks.set(t, outMask);
    });
  }
  return {
    outputs: graph.outputs.map((t) => values.get(t)!),
    masks: graph.outputs.map((t) => masks.get(t) ?? null),
  };
}

/**
 * Keras's reference to a tensor of the graph: [layer name, call index within this graph,
 * output index]. An Input's tensor is [its InputLayer's name, 0, 0].
 */
export function tensorRef(graph: Graph, t: SymbolicTensor): [string, number, number] {
  const call = t.producer;
  if (!call) return [inputLayerOf(t)?.name ?? t.name, 0, 0];
  const calls = graph.calls.filter((c) => c.layer === call.layer);
  return [call.layer.name, Math.max(0, calls.indexOf(call)), call.outputs.indexOf(t)];
}
