import { noGrad } from '../autograd/tape.js';
import type { Layer } from '../nn/engine/layer.js';
import { lookupKey } from '../nn/engine/serialization.js';
import { formatSymbolicShape, type SymbolicShape } from '../nn/engine/symbolic-tensor.js';
import { InputLayer } from '../nn/layers/input-layer.js';
import { layerLabel } from '../nn/layers/internal/args.js';
import type { Loss } from '../nn/losses/loss.js';
import type { TensorLike } from '../tensor/create.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type CompiledState, resolveMetrics } from './compile.js';
import {
  argName,
  checkSamples,
  classWeightsFor,
  type DataInput,
  identityOrder,
  takeRows,
  toSampleWeight,
  toTensorList,
} from './data-adapter.js';
import { checkGraphInputs } from './graph.js';
import type { Model } from './model.js';

/** Validated training data: tensors per input and output, and per-sample weights. */
export interface PreparedData {
  xs: Tensor[];
  ys: Tensor[];
  sampleWeight: Tensor | null;
  samples: number;
}

export interface PrepareOptions {
  sampleWeight?: TensorLike;
  classWeight?: Readonly<Record<number, number>>;
}

/** The compiled state, or an error saying to call compile first. */
export function requireCompiled(model: Model, op: string): CompiledState {
  if (!model.compiled) {
    throw new Error(
      `${op}: model '${model.name}' must be compiled first: model.compile({ optimizer: 'adam', loss: '...' })`,
    );
  }
  return model.compiled;
}

/** A layer that makes its model take strings (TextVectorization, StringLookup) when first. */
interface StringInputLayer extends Layer {
  readonly takesStrings: true;
  encodeStrings(x: unknown, op: string): Tensor;
}

/** The model's first layer if it takes strings, else null. */
export function stringInputLayer(model: Model): StringInputLayer | null {
  const first = model.layers[0] as Partial<StringInputLayer> | undefined;
  return first?.takesStrings === true ? (first as StringInputLayer) : null;
}

/**
 * Refuses to export a model whose first layer takes strings: ONNX and TF.js graphs here carry
 * numbers only. The message names the layer and the way out.
 */
export function refuseStringInput(model: Model, op: string): void {
  const layer = stringInputLayer(model);
  if (layer)
    throw new Error(
      `${op}: model '${model.name}' starts with ${layerLabel(layer)}, which takes strings and has no exportable equivalent; export a model of the layers after it (its vocabulary: getVocabulary()) and vectorize texts before calling it`,
    );
}

/** True for a batch of strings (or of string lists): what only a string input layer takes. */
function holdsStrings(x: unknown): boolean {
  return (
    Array.isArray(x) &&
    x.length > 0 &&
    (typeof x[0] === 'string' || (Array.isArray(x[0]) && typeof x[0][0] === 'string'))
  );
}

/**
 * Converts x to tensors and builds the model if needed (a Sequential without an input shape). A
 * model whose first layer takes strings gets them encoded here, before the numeric graph runs.
 */
export function prepareInputs(model: Model, op: string, x: DataInput): Tensor[] {
  const strings = stringInputLayer(model);
  if (strings) {
    x = strings.encodeStrings(x, op);
  } else if (holdsStrings(x)) {
    const first = model.layers.find((l) => !(l instanceof InputLayer));
    const label = first ? `its first layer ${layerLabel(first)}` : 'it';
    throw new TypeError(
      `${op}: model '${model.name}' got strings as x, but ${label} takes numbers; put a TextVectorization or StringLookup layer first`,
    );
  }
  const xs = toTensorList(op, 'x', x, model.inputNames);
  if (!model.built && xs.length === 1) {
    model.ensureBuilt([null, ...xs[0]!.shape.slice(1)]);
  }
  if (model.graph) checkGraphInputs(model.name, model.graph, xs);
  return xs;
}

/**
 * Checks x, y and the weights before any training step: sample counts, NaN/Infinity, emptiness,
 * input shapes and target shapes against the model's outputs and losses. Errors name the
 * argument, the shapes and the fix.
 */
export function prepareData(
  model: Model,
  op: string,
  x: DataInput,
  y: DataInput,
  options: PrepareOptions = {},
): PreparedData {
  const state = requireCompiled(model, op);
  const xs = prepareInputs(model, op, x);
  const ys = toTensorList(op, 'y', y, state.outputNames);
  const groups: [string, Tensor[]][] = [
    ['x', xs],
    ['y', ys],
  ];
  const samples = checkSamples(op, groups);
  let sampleWeight: Tensor | null = null;
  if (options.sampleWeight !== undefined && options.sampleWeight !== null) {
    sampleWeight = toSampleWeight(op, options.sampleWeight, samples);
  }
  if (options.classWeight) {
    if (ys.length !== 1) {
      throw new Error(
        `${op}: classWeight is only supported for models with one output; use sampleWeight`,
      );
    }
    const cw = classWeightsFor(op, ys[0]!, options.classWeight);
    if (sampleWeight) {
      const sw = sampleWeight.data;
      for (let i = 0; i < cw.length; i++) cw[i]! *= sw[i]!;
    }
    sampleWeight = new Tensor(cw, [samples], 'float32');
  }
  const outputShapes = outputShapesFor(model, xs);
  if (ys.length !== outputShapes.length) {
    throw new RangeError(
      `${op}: model '${model.name}' has ${outputShapes.length} output${outputShapes.length === 1 ? '' : 's'} (${state.outputNames.join(', ')}) but y has ${ys.length} tensor${ys.length === 1 ? '' : 's'}`,
    );
  }
  if (state.losses.length !== outputShapes.length) {
    throw new RangeError(
      `${op}: the model returns ${outputShapes.length} outputs but compile was given ${state.losses.length} losses`,
    );
  }
  if (!state.metrics) resolveMetrics(state, outputShapes);
  ys.forEach((t, i) => {
    const loss = state.losses[i];
    if (loss)
      checkTarget(op, argName('y', i, ys.length), t, outputShapes[i]!, loss, state.outputNames[i]!);
  });
  return { xs, ys, sampleWeight, samples };
}

const shapeCache = new WeakMap<Model, Map<string, SymbolicShape[]>>();

/** The model's output shapes (batch axis null) for inputs like xs, from a one-sample forward pass. */
export function outputShapesFor(model: Model, xs: readonly Tensor[]): SymbolicShape[] {
  const key = xs.map((t) => `${t.dtype}:${t.shape.slice(1).join(',')}`).join('|');
  let cache = shapeCache.get(model);
  if (!cache) shapeCache.set(model, (cache = new Map()));
  const hit = cache.get(key);
  if (hit) return hit;
  const one = identityOrder(1);
  const rows = xs.map((t) => takeRows(t, one, 0, 1));
  const out = noGrad(() => model.apply(rows.length === 1 ? rows[0]! : rows, { training: false }));
  const shapes = (Array.isArray(out) ? out : [out]).map((t) => [null, ...t.shape.slice(1)]);
  cache.set(key, shapes);
  return shapes;
}

const BUILT_IN = new Set([
  'meansquarederror',
  'meanabsoluteerror',
  'meanabsolutepercentageerror',
  'meansquaredlogarithmicerror',
  'binarycrossentropy',
  'binaryfocalcrossentropy',
  'categoricalcrossentropy',
  'categoricalfocalcrossentropy',
  'sparsecategoricalcrossentropy',
  'huber',
  'logcosh',
  'hinge',
  'squaredhinge',
  'categoricalhinge',
  'kldivergence',
  'kullbackleiblerdivergence',
  'poisson',
  'cosinesimilarity',
]);

function lossKey(loss: Loss): string {
  return lookupKey((loss.constructor as { className?: string }).className ?? '');
}

function dropTrailingOnes(s: readonly (number | null)[]): (number | null)[] {
  const out = [...s];
  while (out.length > 0 && out[out.length - 1] === 1) out.pop();
  return out;
}

function sameDims(a: readonly (number | null)[], b: readonly (number | null)[]): boolean {
  return a.length === b.length && a.every((d, i) => d === null || b[i] === null || d === b[i]);
}

/**
 * Checks a target against the model's output for a built-in loss: sparse losses want integer
 * labels [n] (or [n, 1]) in [0, classes); the other losses compare elementwise, so the shapes
 * must match (up to a trailing axis of 1).
 */
function checkTarget(
  op: string,
  arg: string,
  y: Tensor,
  outShape: SymbolicShape,
  loss: Loss,
  outputName: string,
): void {
  const key = lossKey(loss);
  if (!BUILT_IN.has(key)) return;
  const yRest = y.shape.slice(1);
  const outRest = outShape.slice(1);
  const classes = outRest[outRest.length - 1];
  const labelsShape = outRest.slice(0, -1);
  const isLabels = sameDims(yRest, labelsShape) || sameDims(yRest, [...labelsShape, 1]);
  const lossName = loss.name;
  const where = `model output '${outputName}' ${formatSymbolicShape(outShape)}`;
  if (key === 'sparsecategoricalcrossentropy') {
    if (isLabels) {
      checkLabelRange(op, arg, y, classes ?? null);
      return;
    }
    const hint = sameDims(yRest, outRest)
      ? `; y looks one-hot, so use loss 'categorical_crossentropy' (or pass integer labels)`
      : '';
    throw new RangeError(
      `${op}: ${arg} has shape ${formatShape(y.shape)}, but loss '${lossName}' expects integer class labels of shape [${y.shape[0]}${labelsShape.map((d) => `, ${d ?? 'None'}`).join('')}] for the ${where}${hint}`,
    );
  }
  const ok =
    key.startsWith('categorical') || key.startsWith('kl') || key.startsWith('kullback')
      ? sameDims(yRest, outRest)
      : sameDims(dropTrailingOnes(yRest), dropTrailingOnes(outRest));
  if (ok) return;
  if (
    key.startsWith('categorical') &&
    isLabels &&
    classes !== null &&
    classes !== undefined &&
    classes > 1
  ) {
    throw new RangeError(
      `${op}: ${arg} has shape ${formatShape(y.shape)} (integer class labels?), but loss '${lossName}' expects one-hot targets of shape [${y.shape[0]}, ${outRest.map((d) => d ?? 'None').join(', ')}] matching the ${where}; ` +
        `use loss 'sparse_categorical_crossentropy' for integer labels, or one-hot encode y with toCategorical(y, ${classes})`,
    );
  }
  throw new RangeError(
    `${op}: ${arg} has shape ${formatShape(y.shape)}, which does not match the ${where}; loss '${lossName}' compares them elementwise`,
  );
}

function checkLabelRange(op: string, arg: string, y: Tensor, classes: number | null): void {
  const d = y.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (!Number.isInteger(v) || v < 0 || (classes !== null && v >= classes)) {
      const sample = Math.floor(i / Math.max(1, y.size / y.shape[0]!));
      throw new RangeError(
        `${op}: ${arg} holds label ${v} at sample ${sample}; sparse labels must be integers in [0, ${classes ?? 'classes'})`,
      );
    }
  }
}
