import { noGrad } from '../autograd/tape.js';
import { getBackend, traceKernels } from '../backends/registry.js';
import type { Layer } from '../nn/engine/layer.js';
import * as layers from '../nn/layers/index.js';
import type { TypedArray } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { Model } from './model.js';
import { fuseSteps, type PlanStep } from './plan-fusion.js';

/**
 * Inference plans: a model's forward pass for one input shape, traced once as the kernel calls it
 * makes and then replayed on the same buffers, the way ONNX Runtime runs a session. A replay
 * allocates nothing but the outputs and skips the layers' JavaScript (shape inference, argument
 * checks, output allocation), which dominates a small request: the seed CNN's batch-1 `predict`.
 *
 * A trace is only valid when the kernel sequence does not depend on the data, so only models built
 * from the layers below are traced (each by its own `call`: a subclass that overrides it is not),
 * and the trace is checked: no kernel may write into a weight or older state, every output must
 * come from a kernel, and a replay on a second, different input must give exactly what the layers
 * give (so nothing computed in JavaScript from the data was baked in). Anything else runs as before.
 * `KEEL_INFERENCE_PLANS=0` turns plans off.
 */

type Step = PlanStep;

/** A traced forward pass for inputs of one shape and dtype each. */
export class InferencePlan {
  constructor(
    /** The plan's own input buffers; run() copies the request into them. */
    readonly inputs: readonly Tensor[],
    private readonly steps: readonly Step[],
    /** Where the last step leaves each model output (copied out by run()). */
    readonly outputs: readonly Tensor[],
    /** Whether the model returns a list. */
    readonly returnsList: boolean,
    /** Bytes of the buffers the plan keeps. */
    readonly bytes: number,
  ) {}

  /** The outputs for xs (the shapes and dtypes the plan was traced with), as new tensors. */
  run(xs: readonly Tensor[]): Tensor[] {
    for (let i = 0; i < xs.length; i++) this.inputs[i]!.data.set(xs[i]!.data as never);
    for (const s of this.steps) {
      if (s.zero) for (const o of s.outputs) o.data.fill(0);
      s.kernel(s.inputs, s.outputs, s.attrs);
    }
    return this.outputs.map((o) => new Tensor(o.data.slice() as never, o.shape, o.dtype));
  }

  get kernelCalls(): number {
    return this.steps.length;
  }

  /**
   * Runs xs through the steps, each twice: into outputs whose bytes are all 0xff (NaN for float32)
   * and into zeroed ones. A kernel that gives the same bits both times wrote every element and
   * needs no fill before it.
   */
  calibrate(xs: readonly Tensor[]): void {
    for (let i = 0; i < xs.length; i++) this.inputs[i]!.data.set(xs[i]!.data as never);
    for (const s of this.steps) {
      for (const o of s.outputs) bytesOf(o.data).fill(0xff);
      s.kernel(s.inputs, s.outputs, s.attrs);
      const first = s.outputs.map((o) => o.data.slice());
      for (const o of s.outputs) o.data.fill(0);
      s.kernel(s.inputs, s.outputs, s.attrs);
      s.zero = !s.outputs.every((o, i) => bytesOf(o.data).equals(bytesOf(first[i]!)));
    }
  }
}

/** Plans kept per model (input shapes), and the most bytes one plan may hold on to. */
const MAX_PLANS = 4;
const MAX_PLAN_BYTES = 64 * 2 ** 20;

interface ModelPlans {
  graph: unknown;
  backend: string;
  traceable: boolean;
  /** By input signature; null where tracing failed (the model then runs layer by layer). */
  plans: Map<string, InferencePlan | null>;
}

const cache = new WeakMap<Model, ModelPlans>();

let traceableCalls: Set<unknown> | null = null;
const traceableModelCalls = new Set<unknown>();

/** Declares a Model subclass's `call` (Sequential's) as running its graph and nothing else. */
export function markTraceableModelCall(call: unknown): void {
  traceableModelCalls.add(call);
}

/** The `call` methods of the layers whose kernels do not depend on the data they see. */
function traceableCall(layer: Layer): boolean {
  traceableCalls ??= new Set(
    [
      layers.InputLayer,
      layers.Dense,
      layers.Conv1D,
      layers.Conv2D,
      layers.MaxPooling1D,
      layers.MaxPooling2D,
      layers.AveragePooling1D,
      layers.AveragePooling2D,
      layers.GlobalAveragePooling1D,
      layers.GlobalAveragePooling2D,
      layers.GlobalMaxPooling1D,
      layers.GlobalMaxPooling2D,
      layers.Flatten,
      layers.Reshape,
      layers.Permute,
      layers.Dropout,
      layers.Activation,
      layers.BatchNormalization,
      layers.LayerNormalization,
      layers.RMSNormalization,
      layers.Add,
      layers.Multiply,
      layers.Concatenate,
      layers.ReLU,
      layers.LeakyReLU,
      layers.PReLU,
      layers.ELU,
      layers.ZeroPadding1D,
      layers.ZeroPadding2D,
      layers.Cropping1D,
      layers.Cropping2D,
      layers.UpSampling1D,
      layers.UpSampling2D,
      layers.RepeatVector,
      layers.Subtract,
      layers.Average,
      layers.Maximum,
      layers.Minimum,
      layers.UnitNormalization,
      layers.GroupNormalization,
      layers.Rescaling,
      layers.Normalization,
    ].map((c) => c.prototype.call),
  );
  if (traceableCalls.has(layer.call)) return true;
  // Statically quantized layers: their ranges are calibrated numbers, so their kernels do not
  // depend on the data; a dynamic one (no inputScale) ranges each batch in JavaScript.
  return (
    (layer.call === layers.QuantizedDense.prototype.call ||
      layer.call === layers.QuantizedConv2D.prototype.call) &&
    (layer as layers.QuantizedDense | layers.QuantizedConv2D).quant.inputScale !== null
  );
}

function traceableLayer(layer: Layer): boolean {
  if (layer instanceof Model) {
    const call = layer.call;
    return (
      layer.graph !== null &&
      (call === Model.prototype.call || traceableModelCalls.has(call)) &&
      layer.layers.every(traceableLayer)
    );
  }
  return traceableCall(layer);
}

function plansFor(model: Model): ModelPlans {
  const backend = getBackend();
  let entry = cache.get(model);
  if (!entry || entry.graph !== model.graph || entry.backend !== backend) {
    const traceable = process.env['KEEL_INFERENCE_PLANS'] !== '0' && traceableLayer(model);
    entry = { graph: model.graph, backend, traceable, plans: new Map() };
    cache.set(model, entry);
  }
  return entry;
}

/**
 * Drops the model's plans and its traceability verdict, for code that replaces a layer's `call`
 * (quantization-aware training): the next predict decides again and traces anew.
 */
export function forgetInferencePlans(model: Model): void {
  cache.delete(model);
}

/**
 * The model's outputs for xs with training = false, from its inference plan for these shapes
 * (traced on the first call); null when the model cannot be planned (the caller runs it as usual).
 */
export function runPlanned(model: Model, xs: readonly Tensor[]): Tensor | Tensor[] | null {
  const entry = plansFor(model);
  if (!entry.traceable) return null;
  const key = signature(xs);
  const plan = entry.plans.get(key);
  if (plan === null) return null;
  if (plan === undefined) {
    const traced = trace(model, xs);
    if (entry.plans.size >= MAX_PLANS) entry.plans.delete(entry.plans.keys().next().value!);
    entry.plans.set(key, traced.plan);
    return traced.outputs;
  }
  const ys = plan.run(xs);
  return plan.returnsList ? ys : ys[0]!;
}

/** The traced plan (null if the trace is not replayable) and the outputs of the traced call. */
function trace(
  model: Model,
  xs: readonly Tensor[],
): { plan: InferencePlan | null; outputs: Tensor | Tensor[] } {
  const inputs = xs.map((t) => new Tensor(t.data.slice() as never, t.shape, t.dtype));
  const firstNew = inputs[0]!.id;
  const traced: Step[] = [];
  const out = noGrad(() =>
    traceKernels(
      (kernel, i, o, attrs, name) =>
        traced.push({ name, kernel, inputs: i, outputs: o, attrs, zero: true }),
      () => model.apply(inputs.length === 1 ? inputs[0]! : inputs, { training: false }),
    ),
  );
  const returnsList = Array.isArray(out);
  const outs = Array.isArray(out) ? out : [out];
  const copies = outs.map((o) => new Tensor(o.data.slice() as never, o.shape, o.dtype));
  const result = returnsList ? copies : copies[0]!;
  // Pairs of calls a fused kernel computes in one pass (the replay check below confirms it).
  const steps = fuseSteps(traced, new Set(outs.map((o) => o.data.buffer)));
  // The buffers a replay fills: the inputs, then each step's outputs. A step must not write into a
  // weight or a tensor from before the call (state), and every output must come from a step.
  const owned = new Set<ArrayBufferLike>(inputs.map((t) => t.data.buffer));
  const weights = new Set<ArrayBufferLike>(model.weights.map((w) => w.data.buffer));
  for (const s of steps) {
    for (const t of s.outputs) {
      if (weights.has(t.data.buffer) || t.id < firstNew) return { plan: null, outputs: result };
      owned.add(t.data.buffer);
    }
  }
  let bytes = 0;
  for (const b of owned) bytes += b.byteLength;
  if (!outs.every((o) => owned.has(o.data.buffer)) || bytes > MAX_PLAN_BYTES) {
    return { plan: null, outputs: result };
  }
  const plan = new InferencePlan(inputs, steps, outs, returnsList, bytes);
  // Other inputs of the steps (constants an op made, like a layer norm's epsilon) are replayed as
  // they were, so the plan must not depend on the data: on a second, different input the replay has
  // to give exactly what the layers give. This also catches a kernel that relied on a zeroed output.
  const other = xs.map(perturbed);
  const expected = noGrad(() =>
    model.apply(other.length === 1 ? other[0]! : other, { training: false }),
  );
  plan.calibrate(other);
  const replayed = plan.run(other);
  const same = (Array.isArray(expected) ? expected : [expected]).every((e, i) =>
    bytesOf(e.data).equals(bytesOf(replayed[i]!.data)),
  );
  return { plan: same ? plan : null, outputs: result };
}

/** The bytes of a typed array (NaN payloads and signed zeros compared exactly). */
function bytesOf(a: TypedArray): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** A different input of the same shape and dtype: x reversed, scaled and shifted. */
function perturbed(x: Tensor): Tensor {
  const d = x.data;
  const n = d.length;
  const out = x.data.slice();
  const integer = x.dtype !== 'float32';
  for (let i = 0; i < n; i++) {
    const v = Number(d[n - 1 - i]);
    out[i] = integer ? v : 0.5 * v + 0.25 * ((i % 7) - 3);
  }
  return new Tensor(out as never, x.shape, x.dtype);
}

/** The plan predict would use for inputs like xs, tracing it if needed (for tests and tools). */
export function inferencePlanFor(model: Model, xs: readonly Tensor[]): InferencePlan | null {
  runPlanned(model, xs);
  return plansFor(model).plans.get(signature(xs)) ?? null;
}

/** The plan key of a request: each input's dtype and shape. */
function signature(xs: readonly Tensor[]): string {
  let key = '';
  for (const t of xs) key += `${t.dtype}:${t.shape.join(',')}|`;
  return key;
}
