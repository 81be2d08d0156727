/** A model's layer graph as the dashboard draws it: one node per layer, one edge per connection. */

import { tensorRef } from '../models/graph.js';
import type { Model } from '../models/model.js';
import type { Layer } from '../nn/engine/layer.js';
import { formatSymbolicShape } from '../nn/engine/symbolic-tensor.js';
import { InputLayer } from '../nn/layers/input-layer.js';

/** One layer of the drawn graph: name, class, output shape and parameter count. */
export interface GraphNode {
  name: string;
  className: string;
  /** The output shape of the layer's first call ('(None, 28, 28, 1)'), '?' when unknown. */
  outputShape: string;
  params: number;
}

/** The layers (nodes) and connections (edges) of a model, as the dashboard draws them. */
export interface ModelGraph {
  nodes: GraphNode[];
  /** [from, to] layer names, one per input of each call. */
  edges: [string, string][];
}

/**
 * The layers of a built model (functional or Sequential) and the connections between them; a
 * subclassed model, which has no graph, gives its layers in order without edges.
 */
export function modelGraph(model: Model): ModelGraph {
  const graph = model.graph;
  const node = (layer: Layer, shape: string): GraphNode => ({
    name: layer.name,
    className: (layer.constructor as typeof Layer).className,
    outputShape: shape,
    params: layer.built ? layer.countParams() : 0,
  });
  if (!graph) return { nodes: model.layers.map((l) => node(l, '?')), edges: [] };
  const nodes = graph.layers.map((layer) => {
    if (layer instanceof InputLayer) return node(layer, formatSymbolicShape(layer.output.shape));
    const call = graph.calls.find((c) => c.layer === layer);
    const shapes = call?.outputs.map((t) => formatSymbolicShape(t.shape)) ?? ['?'];
    return node(layer, shapes.join(', '));
  });
  const edges: [string, string][] = [];
  for (const call of graph.calls) {
    for (const t of call.inputs) edges.push([tensorRef(graph, t)[0], call.layer.name]);
  }
  return { nodes, edges };
}
