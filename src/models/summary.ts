import type { Layer } from '../nn/engine/layer.js';
import { formatSymbolicShape, type SymbolicTensor } from '../nn/engine/symbolic-tensor.js';
import { InputLayer } from '../nn/layers/input-layer.js';
import { DTYPES } from '../tensor/dtype.js';
import type { Variable } from '../tensor/tensor.js';
import { type Graph, tensorRef } from './graph.js';
import type { Model } from './model.js';

/** Keras's readable size: '212.54 KB', '0.00 B'. */
export function readableSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  for (const unit of units) {
    if (v / 1024 < 1) return `${v.toFixed(2)} ${unit}`;
    v /= 1024;
  }
  return `${v.toFixed(2)} PB`;
}

const withCommas = (n: number) => n.toLocaleString('en-US');

function countLine(label: string, weights: readonly Variable[]): string {
  const count = weights.reduce((s, w) => s + w.size, 0);
  const bytes = weights.reduce((s, w) => s + w.size * DTYPES[w.dtype].bytes, 0);
  return ` ${label}: ${withCommas(count)} (${readableSize(bytes)})`;
}

/** True when the graph is one chain of single-input, single-output calls (no 'Connected to' column). */
function isSequentialLike(model: Model, graph: Graph | null): boolean {
  if (!graph || (model.constructor as typeof Layer).className === 'Sequential') return true;
  if (graph.inputs.length !== 1 || graph.outputs.length !== 1) return false;
  let prev: SymbolicTensor = graph.inputs[0]!;
  const seen = new Set<Layer>();
  for (const call of graph.calls) {
    if (call.inputs.length !== 1 || call.inputs[0] !== prev || call.outputs.length !== 1)
      return false;
    if (seen.has(call.layer)) return false;
    seen.add(call.layer);
    prev = call.outputs[0]!;
  }
  return true;
}

function row(layer: Layer, graph: Graph | null, connected: boolean): string[][] {
  const type = (layer.constructor as typeof Layer).className;
  const name = [`${layer.name} (${type})`];
  let shapes: string[] = ['?'];
  let links: string[] = ['-'];
  if (layer instanceof InputLayer) {
    shapes = [formatSymbolicShape(layer.output.shape)];
  } else if (graph) {
    const calls = graph.calls.filter((c) => c.layer === layer);
    if (calls.length > 0) {
      const outs = calls[0]!.outputs.map((t) => formatSymbolicShape(t.shape));
      shapes = outs.length === 1 ? outs : [`[${outs.join(', ')}]`];
      links = calls.flatMap((c) =>
        c.inputs.map((t) => {
          const [name, node, index] = tensorRef(graph, t);
          return `${name}[${node}][${index}]`;
        }),
      );
    }
  }
  const params = layer.built ? [withCommas(layer.countParams())] : ['0 (unbuilt)'];
  return connected ? [name, shapes, params, links] : [name, shapes, params];
}

/** Splits text into lines of at most `width` characters, preferring breaks after ', ' and spaces. */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > width) {
    let cut = Math.max(rest.lastIndexOf(', ', width - 1) + 2, rest.lastIndexOf(' ', width) + 1);
    if (cut <= 0) cut = width;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut);
  }
  out.push(rest);
  return out;
}

/**
 * Prints Keras's model summary: a table of layers with output shapes and parameter counts
 * ('Connected to' for branching functional models), then the total, trainable and
 * non-trainable parameter counts with their sizes.
 */
export function printSummary(
  model: Model,
  printFn: (line: string) => void,
  lineLength?: number,
): void {
  const graph = model.graph;
  const sequentialLike = isSequentialLike(model, graph);
  const headers = sequentialLike
    ? ['Layer (type)', 'Output Shape', 'Param #']
    : ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'];
  const positions = sequentialLike ? [0.45, 0.8, 1] : [0.3, 0.56, 0.74, 1];
  const total = Math.max(lineLength ?? (sequentialLike ? 88 : 108), headers.length * 8);
  const avail = total - (headers.length + 1);
  const widths = positions.map(
    (p, i) => Math.floor(p * avail) - Math.floor((positions[i - 1] ?? 0) * avail) - 2,
  );
  const rightAligned = (col: number) => col === 2;
  const line = (cells: string[], sep: string, left: string, right: string) =>
    left +
    cells
      .map((c, i) => ` ${rightAligned(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)} `)
      .join(sep) +
    right;
  const rule = (l: string, fill: string, mid: string, r: string) =>
    l + widths.map((w) => fill.repeat(w + 2)).join(mid) + r;

  printFn(`Model: "${model.name}"`);
  printFn(rule('┏', '━', '┳', '┓'));
  printFn(line(headers, '┃', '┃', '┃'));
  printFn(rule('┡', '━', '╇', '┩'));
  const layers = model.layers;
  layers.forEach((layer, k) => {
    const cells = row(layer, graph, !sequentialLike).map((parts, i) =>
      parts.flatMap((p) => wrap(p, widths[i]!)),
    );
    const height = Math.max(...cells.map((c) => c.length));
    for (let r = 0; r < height; r++)
      printFn(
        line(
          cells.map((c) => c[r] ?? ''),
          '│',
          '│',
          '│',
        ),
      );
    if (k < layers.length - 1) printFn(rule('├', '─', '┼', '┤'));
  });
  printFn(rule('└', '─', '┴', '┘'));
  const weights = model.weights;
  const trainable = new Set(model.trainableWeights);
  printFn(countLine('Total params', weights));
  printFn(
    countLine(
      'Trainable params',
      weights.filter((w) => trainable.has(w)),
    ),
  );
  printFn(
    countLine(
      'Non-trainable params',
      weights.filter((w) => !trainable.has(w)),
    ),
  );
  const optimizerVars = (model.optimizer as { variables?: readonly Variable[] } | null)?.variables;
  if (optimizerVars && optimizerVars.length > 0)
    printFn(countLine('Optimizer params', optimizerVars));
}
