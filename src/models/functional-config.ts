import type { Layer } from '../nn/engine/layer.js';
import type { SymbolicTensor } from '../nn/engine/symbolic-tensor.js';
import { InputLayer, type InputLayerArgs } from '../nn/layers/input-layer.js';
import { deserializeLayer } from '../nn/layers/registry.js';
import { type Graph, tensorRef } from './graph.js';

type TensorRef = [string, number, number];
/** One input of a layer call: the tensor reference and the call's keyword arguments. */
type InboundRef = [string, number, number, Record<string, unknown>];

interface LayerEntry {
  className: string;
  name: string;
  config: Record<string, unknown>;
  /** One entry per call of the layer in this model, each listing the call's inputs. */
  inboundNodes: InboundRef[][];
}

/** Keras's functional config: the layers with the calls that connect them, and the model's ends. */
export function functionalConfig(
  name: string,
  trainable: boolean,
  graph: Graph,
): Record<string, unknown> {
  const layers: LayerEntry[] = graph.layers.map((layer) => ({
    className: (layer.constructor as typeof Layer).className,
    name: layer.name,
    config: layer.getConfig(),
    inboundNodes: graph.calls
      .filter((c) => c.layer === layer)
      .map((c) => c.inputs.map((t) => [...tensorRef(graph, t), { ...c.kwargs }] as InboundRef)),
  }));
  return {
    name,
    trainable,
    layers,
    inputLayers: graph.inputs.map((t) => tensorRef(graph, t)),
    outputLayers: graph.outputs.map((t) => tensorRef(graph, t)),
  };
}

/**
 * Rebuilds the layers and replays their calls from `functionalConfig`'s output; returns the
 * symbolic inputs and outputs for `new Model(...)`. Calls are replayed as soon as their inputs
 * exist, each layer's calls in order.
 */
export function graphFromConfig(config: Record<string, unknown>): {
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
} {
  const entries = (config['layers'] ?? []) as LayerEntry[];
  const layers = new Map<string, Layer>();
  const produced = new Map<string, SymbolicTensor[][]>();
  for (const e of entries) {
    const layer =
      e.className === 'InputLayer'
        ? new InputLayer(e.config as InputLayerArgs)
        : deserializeLayer({ className: e.className, config: e.config });
    layers.set(e.name, layer);
    produced.set(e.name, layer instanceof InputLayer ? [[layer.output]] : []);
  }
  const resolve = ([layerName, node, index]: TensorRef | InboundRef): SymbolicTensor | undefined =>
    produced.get(layerName)?.[node]?.[index];
  let pending = entries.flatMap((e) => e.inboundNodes.map((refs, node) => ({ e, refs, node })));
  while (pending.length > 0) {
    const before = pending.length;
    pending = pending.filter(({ e, refs, node }) => {
      const outs = produced.get(e.name)!;
      const inputs = refs.map(resolve);
      if (node !== outs.length || inputs.some((t) => t === undefined)) return true;
      const list = inputs as SymbolicTensor[];
      const layer = layers.get(e.name)!;
      const kwargs = refs[0]?.[3] ?? {};
      const y = list.length === 1 ? layer.apply(list[0]!, kwargs) : layer.apply(list, kwargs);
      outs.push(Array.isArray(y) ? y : [y]);
      return false;
    });
    if (pending.length === before) {
      const names = pending.map((p) => `'${p.e.name}'`).join(', ');
      throw new Error(
        `Model.fromConfig: cannot connect layers ${names}: their inputs are never produced`,
      );
    }
  }
  const ends = (key: string) =>
    ((config[key] ?? []) as TensorRef[]).map((ref) => {
      const t = resolve(ref);
      if (!t)
        throw new Error(`Model.fromConfig: ${key} refers to unknown tensor ${JSON.stringify(ref)}`);
      return t;
    });
  return { inputs: ends('inputLayers'), outputs: ends('outputLayers') };
}
