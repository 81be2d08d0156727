/**
 * Where each of a Keel model's weights lives in a `.keras` file's HDF5 store, following Keras 3's
 * saving_lib: a model's layers sit in its `layers` container, each named by its class in
 * snake_case, numbered from the second of a class on (`dense`, `dense_1`, `conv2d`); a layer's own
 * variables are `<path>/vars/<i>`, trainable ones first, each group in creation order; sublayers
 * held in attributes are named by the attribute (`cell`, `forward_layer`, `layer`,
 * `_query_dense`). Keras 2.13's variant of the format calls the container
 * `_layer_checkpoint_dependencies` (see `kerasGroupVariants`).
 */
import type { Layer } from '../../nn/engine/layer.js';
import type { Variable } from '../../tensor/tensor.js';

/** Keras's `naming.to_snake_case`: `MaxPooling2D` → `max_pooling2d`, `LSTM` → `lstm`. */
export function kerasSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** A weight's place in the store: the group (`layers/lstm/cell`) and its index in `vars`. */
export interface VariableSlot {
  group: string;
  index: number;
  /** The Keras layer that owns the group, for error messages. */
  owner: string;
  /** That layer's name (Keras records it as the `vars` group's `name` attribute). */
  layerName: string;
}

/** Recurrent layers whose weights Keras keeps in a cell object (`<layer>/cell/vars`). */
const CELL_LAYERS = new Set(['LSTM', 'GRU', 'SimpleRNN', 'ConvLSTM2D']);

/** MultiHeadAttention's projections as Keel names them → Keras's attributes. */
const ATTENTION_DENSES: Readonly<Record<string, string>> = {
  query: '_query_dense',
  key: '_key_dense',
  value: '_value_dense',
  attention_output: '_output_dense',
};

/** Keras's variable order where Keel creates a layer's weights in another order. */
const KERAS_ORDER: Readonly<Record<string, readonly string[]>> = {
  SeparableConv1D: ['depthwise_kernel', 'pointwise_kernel', 'bias'],
  SeparableConv2D: ['depthwise_kernel', 'pointwise_kernel', 'bias'],
};

const className = (layer: Layer) =>
  (layer.constructor as unknown as { className: string }).className;

const shortName = (w: Variable) => w.name.slice(w.name.lastIndexOf('/') + 1);

function isModel(layer: Layer): layer is Layer & { layers: Layer[] } {
  const cls = className(layer);
  return cls === 'Sequential' || cls === 'Functional';
}

/** Keras's own-variable order: trainable first, then the rest, each in creation order. */
function ownOrder(layer: Layer, weights: readonly Variable[]): Variable[] {
  const order = KERAS_ORDER[className(layer)];
  if (order) {
    return [...weights].sort((a, b) => order.indexOf(shortName(a)) - order.indexOf(shortName(b)));
  }
  return [...weights.filter((w) => w.trainable), ...weights.filter((w) => !w.trainable)];
}

/**
 * The store slot of every weight of `layer` (a model or any layer) placed at `path`. `orderOf`
 * gives a model's layer names in the order of its config, which is the order Keras numbers them
 * in; without it, the model's own order is used.
 */
export function kerasVariableSlots(
  layer: Layer,
  path = '',
  orderOf: (model: Layer) => readonly string[] | undefined = () => undefined,
): Map<Variable, VariableSlot> {
  const out = new Map<Variable, VariableSlot>();
  visit(layer, path, orderOf, out);
  return out;
}

const join = (path: string, child: string) => (path === '' ? child : `${path}/${child}`);

function putOwn(
  layer: Layer,
  group: string,
  weights: readonly Variable[],
  out: Map<Variable, VariableSlot>,
) {
  ownOrder(layer, weights).forEach((w, index) => {
    if (!out.has(w))
      out.set(w, {
        group,
        index,
        owner: `layer '${layer.name}' (${className(layer)})`,
        layerName: layer.name,
      });
  });
}

/** Sublayers held in a list (a model's `layers`, StackedRNNCells' `cells`), named by class. */
function visitList(
  layers: readonly Layer[],
  path: string,
  orderOf: (model: Layer) => readonly string[] | undefined,
  out: Map<Variable, VariableSlot>,
) {
  const used = new Map<string, number>();
  for (const l of layers) {
    const base = kerasSnakeCase(className(l));
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    visit(l, join(path, n === undefined ? base : `${base}_${n + 1}`), orderOf, out);
  }
}

function visit(
  layer: Layer,
  path: string,
  orderOf: (model: Layer) => readonly string[] | undefined,
  out: Map<Variable, VariableSlot>,
): void {
  const cls = className(layer);
  const any = layer as unknown as Record<string, unknown>;
  if (isModel(layer)) {
    const order = orderOf(layer);
    const layers = [...layer.layers];
    if (order) layers.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
    visitList(layers, join(path, 'layers'), orderOf, out);
  } else if (CELL_LAYERS.has(cls)) {
    putOwn(layer, join(path, 'cell'), layer.weights, out);
  } else if (cls === 'Bidirectional') {
    visit(any['forwardLayer'] as Layer, join(path, 'forward_layer'), orderOf, out);
    visit(any['backwardLayer'] as Layer, join(path, 'backward_layer'), orderOf, out);
  } else if (cls === 'TimeDistributed') {
    visit(any['layer'] as Layer, join(path, 'layer'), orderOf, out);
  } else if (cls === 'RNN') {
    visit(any['cell'] as Layer, join(path, 'cell'), orderOf, out);
  } else if (cls === 'StackedRNNCells') {
    visitList(any['cells'] as Layer[], join(path, 'cells'), orderOf, out);
  } else if (cls === 'MultiHeadAttention') {
    const groups = new Map<string, Variable[]>();
    for (const w of layer.weights) {
      const parts = w.name.split('/');
      const attr = ATTENTION_DENSES[parts[parts.length - 2] ?? ''] ?? '';
      groups.set(attr, [...(groups.get(attr) ?? []), w]);
    }
    for (const [attr, ws] of groups) putOwn(layer, attr === '' ? path : join(path, attr), ws, out);
  } else {
    // Every other layer (Keel-only composites included) keeps all its weights as its own.
    putOwn(layer, path, layer.weights, out);
  }
}

/**
 * The group paths a reader tries for `group`, most likely first: as written, then with Keras
 * 2.13's `_layer_checkpoint_dependencies` container in place of `layers`.
 */
export function kerasGroupVariants(group: string): string[] {
  const old = group
    .split('/')
    .map((p) => (p === 'layers' ? '_layer_checkpoint_dependencies' : p))
    .join('/');
  return old === group ? [group] : [group, old];
}
