import { noGrad } from '../autograd/tape.js';
import { type Dataset, isDataset } from '../data/dataset/dataset.js';
import { type SaveOptions, saveModel } from '../io/keel-format/model-file.js';
import { loadWeights, saveWeights } from '../io/keel-format/weights-file.js';
import type { History } from '../nn/callbacks/history.js';
import { type CallArgs, isShapeList, Layer, type LayerInput } from '../nn/engine/layer.js';
import type { SymbolicShape, SymbolicTensor } from '../nn/engine/symbolic-tensor.js';
import { registerLayer } from '../nn/layers/registry.js';
import type { Optimizer } from '../nn/optimizers/optimizer.js';
import type { Tensor, Variable } from '../tensor/tensor.js';
import { type CompileArgs, type CompiledState, compileModel } from './compile.js';
import type { DataInput } from './data-adapter.js';
import {
  type DatasetFitArgs,
  evaluateDataset,
  fitDataset,
  predictDataset,
} from './dataset-loop.js';
import { type EvaluateArgs, evaluateModel } from './evaluate.js';
import { type FitArgs, fitModel } from './fit.js';
import { functionalConfig, graphFromConfig } from './functional-config.js';
import { buildGraph, checkGraphInputs, type Graph, runGraph } from './graph.js';
import { type PredictArgs, predictModel } from './predict.js';
import { printSummary } from './summary.js';
import {
  type BatchArgs,
  type BatchLoss,
  computeLoss,
  testOnBatch,
  trainOnBatch,
} from './train-step.js';

/** Options of `Model`: its inputs and outputs (functional API) and name. */
export interface ModelArgs {
  /** The model's inputs, from `Input()`. Omit both inputs and outputs to subclass Model and override `call`. */
  inputs?: SymbolicTensor | readonly SymbolicTensor[];
  /** The symbolic tensors the model returns. */
  outputs?: SymbolicTensor | readonly SymbolicTensor[];
  name?: string;
  trainable?: boolean;
}

/**
 * A model: a layer made of layers, with training (`compile`, `fit`, `evaluate`, `predict`).
 * Functional: `new Model({ inputs, outputs })` replays the layer calls recorded between the
 * symbolic inputs and outputs. Subclassed: extend Model, create layers as fields, override `call`.
 */
export class Model extends Layer {
  static override className = 'Functional';

  /** The functional graph (read-only); null for a subclassed model and an unbuilt Sequential. */
  graph: Graph | null = null;
  private singleOutput = true;
  /** Set by `compile`. */
  compiled: CompiledState | null = null;
  /** Set to true (by a callback) to end `fit` after the current batch. */
  stopTraining = false;
  /** The History of the last `fit`. */
  history: History | null = null;
  private lastMasks: { inputs: LayerInput; masks: (Tensor | null)[] } | null = null;

  constructor(args: ModelArgs = {}) {
    super({ name: args.name, trainable: args.trainable });
    if (args.inputs !== undefined || args.outputs !== undefined) {
      if (args.inputs === undefined || args.outputs === undefined) {
        throw new TypeError(
          `Model '${this.name}': give both inputs and outputs (or neither, to subclass)`,
        );
      }
      this.setGraph(args.inputs, args.outputs);
    }
  }

  /** Installs the functional graph between `inputs` and `outputs`. */
  protected setGraph(
    inputs: SymbolicTensor | readonly SymbolicTensor[],
    outputs: SymbolicTensor | readonly SymbolicTensor[],
  ): void {
    const ins = Array.isArray(inputs) ? [...inputs] : [inputs as SymbolicTensor];
    const outs = Array.isArray(outputs) ? [...outputs] : [outputs as SymbolicTensor];
    if (ins.length === 0) throw new TypeError(`Model '${this.name}': needs at least one input`);
    if (outs.length === 0) throw new TypeError(`Model '${this.name}': needs at least one output`);
    this.graph = buildGraph(this.name, ins, outs);
    this.singleOutput = !Array.isArray(outputs);
    this.batchInputShape = ins.length === 1 ? ins[0]!.shape : null;
    this.built = true;
  }

  /** The symbolic inputs of a functional model. */
  get inputs(): SymbolicTensor[] {
    return [...(this.graph?.inputs ?? [])];
  }

  /** The symbolic outputs of a functional model. */
  get outputs(): SymbolicTensor[] {
    return [...(this.graph?.outputs ?? [])];
  }

  /** Output names (the producing layers' names), used for per-output losses and metric names. */
  get outputNames(): string[] {
    const outs = this.graph?.outputs ?? [];
    if (outs.length === 0) return ['output'];
    return outs.map((t) => t.producer?.layer.name ?? t.name);
  }

  /** Input names (from `Input({name})`), used to pass inputs as a record. */
  get inputNames(): string[] {
    return (this.graph?.inputs ?? []).map((t) => t.name);
  }

  /** The layers, in call order: for a functional model the InputLayers first. */
  get layers(): Layer[] {
    if (this.graph) return [...this.graph.layers];
    return trackedLayers(this);
  }

  override get sublayers(): Layer[] {
    return this.layers;
  }

  /** All weights, each once even when a layer is reachable twice (shared inside a nested model). */
  override get weights(): Variable[] {
    return [...new Set(super.weights)];
  }

  override get trainableWeights(): Variable[] {
    return [...new Set(super.trainableWeights)];
  }

  /** Forgets the states that stateful recurrent layers carry between batches (Keras's reset_states). */
  override resetStates(): void {
    for (const layer of this.layers) layer.resetStates();
  }

  /** The layer with this name (or at this index of `layers`). */
  getLayer(nameOrIndex: string | number): Layer {
    const layers = this.layers;
    if (typeof nameOrIndex === 'number') {
      const layer = layers[nameOrIndex];
      if (!layer) {
        throw new RangeError(
          `Model '${this.name}': getLayer(${nameOrIndex}): index out of range, the model has ${layers.length} layers`,
        );
      }
      return layer;
    }
    const layer = layers.find((l) => l.name === nameOrIndex);
    if (!layer) {
      throw new Error(
        `Model '${this.name}': no layer named '${nameOrIndex}'; layers are ${layers.map((l) => `'${l.name}'`).join(', ')}`,
      );
    }
    return layer;
  }

  override call(inputs: LayerInput, args: CallArgs): LayerInput {
    const graph = this.graph;
    if (!graph) {
      throw new Error(
        `Model '${this.name}': a model without inputs and outputs must override call() (or add layers to a Sequential)`,
      );
    }
    const list = Array.isArray(inputs) ? inputs : [inputs];
    checkGraphInputs(this.name, graph, list);
    const run = runGraph(graph, list, args.training, [args.mask ?? null]);
    this.lastMasks = { inputs, masks: run.masks };
    return this.singleOutput ? run.outputs[0]! : run.outputs;
  }

  override computeMask(inputs: LayerInput, mask: Tensor | null | undefined): Tensor | null {
    if (!this.graph) return super.computeMask(inputs, mask);
    if (this.lastMasks?.inputs !== inputs) {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const run = noGrad(() => runGraph(this.graph!, list, false, [mask ?? null]));
      this.lastMasks = { inputs, masks: run.masks };
    }
    return this.lastMasks.masks[0] ?? null;
  }

  override computeOutputShape(
    inputShape: SymbolicShape | SymbolicShape[],
  ): SymbolicShape | SymbolicShape[] {
    const graph = this.graph;
    if (graph) {
      const shapes = isShapeList(inputShape) ? inputShape : [inputShape as SymbolicShape];
      const same =
        shapes.length === graph.inputs.length &&
        shapes.every((s, i) => {
          const want = graph.inputs[i]!.shape;
          return s.length === want.length && s.every((d, k) => d === want[k]);
        });
      if (same) {
        const outs = graph.outputs.map((t) => t.shape);
        return this.singleOutput ? outs[0]! : outs;
      }
    }
    return super.computeOutputShape(inputShape);
  }

  /** The optimizer given to `compile`. */
  get optimizer(): Optimizer | null {
    return this.compiled?.optimizer ?? null;
  }

  /**
   * Configures training: `model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] })`.
   * Losses, metrics and lossWeights may be lists or records keyed by output name for multi-output models.
   */
  compile(args: CompileArgs): void {
    this.compiled = compileModel(this, args);
  }

  /** Trains for `epochs` epochs over (x, y); resolves to the History. `await model.fit(x, y, { epochs: 10 })` */
  fit(x: DataInput, y: DataInput, args?: FitArgs): Promise<History>;
  /** Trains on a Dataset of {x, y} / [x, y] batches: `await model.fit(ds.batch(32), { epochs: 10 })` */
  fit(x: Dataset, args?: DatasetFitArgs): Promise<History>;
  fit(
    x: DataInput | Dataset,
    y?: DataInput | DatasetFitArgs,
    args: FitArgs = {},
  ): Promise<History> {
    if (isDataset(x)) return fitDataset(this, x, (y ?? args) as DatasetFitArgs);
    return fitModel(this, x, y as DataInput, args);
  }

  /** The loss (and metrics) on (x, y): a number, [loss, ...metrics], or a record with returnDict. */
  evaluate(
    x: DataInput,
    y: DataInput,
    args?: EvaluateArgs,
  ): Promise<number | number[] | Record<string, number>>;
  /** The loss (and metrics) over a Dataset of {x, y} / [x, y] batches. */
  evaluate(x: Dataset, args?: EvaluateArgs): Promise<number | number[] | Record<string, number>>;
  evaluate(
    x: DataInput | Dataset,
    y?: DataInput | EvaluateArgs,
    args: EvaluateArgs = {},
  ): Promise<number | number[] | Record<string, number>> {
    if (isDataset(x)) return evaluateDataset(this, x, (y ?? args) as EvaluateArgs);
    return evaluateModel(this, x, y as DataInput, args);
  }

  /** The model's outputs on x, computed in batches without recording gradients (training = false). */
  predict(x: DataInput, args?: PredictArgs): Tensor | Tensor[];
  /** The outputs over a Dataset of batches (x, or {x, y} / [x, y]), concatenated; resolves when read. */
  predict(x: Dataset, args?: PredictArgs): Promise<Tensor | Tensor[]>;
  predict(
    x: DataInput | Dataset,
    args: PredictArgs = {},
  ): Tensor | Tensor[] | Promise<Tensor | Tensor[]> {
    if (isDataset(x)) return predictDataset(this, x, args);
    return predictModel(this, x, args);
  }

  /**
   * One batch's loss from its inputs, targets and predictions (Keras's `compute_loss`): the
   * compiled losses plus the regularization penalties. A subclass may add terms (a Distiller adds
   * the teacher's); `training` is false in evaluate and validation.
   */
  computeLoss(
    _xs: readonly Tensor[],
    ys: readonly Tensor[],
    preds: readonly Tensor[],
    sampleWeight: Tensor | null,
    _training: boolean,
  ): BatchLoss {
    return computeLoss(this, this.compiled!, ys, preds, sampleWeight);
  }

  /** One gradient step on one batch; returns the loss, or [loss, ...metrics]. */
  trainOnBatch(x: DataInput, y: DataInput, args: BatchArgs = {}): number | number[] {
    return trainOnBatch(this, x, y, args);
  }

  /** The loss (and metrics) on one batch, without updating weights. */
  testOnBatch(x: DataInput, y: DataInput, args: BatchArgs = {}): number | number[] {
    return testOnBatch(this, x, y, args);
  }

  /** The outputs on one batch (training = false). */
  predictOnBatch(x: DataInput): Tensor | Tensor[] {
    return predictModel(this, x, { batchSize: Number.MAX_SAFE_INTEGER });
  }

  /**
   * Saves architecture, weights, input signature (and with includeOptimizer the optimizer state)
   * to one safetensors file, atomically; `loadModel(path)` rebuilds it. `model.save('m.keel')`
   */
  save(path: string, options: SaveOptions = {}): void {
    saveModel(this, path, options);
  }

  /** Saves only the weights (safetensors), atomically. */
  saveWeights(path: string): void {
    saveWeights(this, path);
  }

  /** Loads weights saved by `saveWeights` or `save` into this model (same architecture). */
  loadWeights(path: string): void {
    loadWeights(this, path);
  }

  /** Prints Keras's summary table: layers, output shapes, parameter counts. */
  summary(printFn: (line: string) => void = console.log, lineLength?: number): void {
    printSummary(this, printFn, lineLength);
  }

  override getConfig(): Record<string, unknown> {
    if (!this.graph) return super.getConfig();
    return functionalConfig(this.name, this.trainable, this.graph);
  }

  /** Rebuilds a functional model from `getConfig()` (weights are not part of the config). */
  static fromConfig(config: Record<string, unknown>): Model {
    const { inputs, outputs } = graphFromConfig(config);
    return new Model({
      inputs: inputs.length === 1 ? inputs[0]! : inputs,
      outputs: outputs.length === 1 ? outputs[0]! : outputs,
      name: config['name'] as string | undefined,
      trainable: config['trainable'] as boolean | undefined,
    });
  }
}

/** The layers a subclassed model holds in its fields (Keras's attribute tracking). */
function trackedLayers(model: Model): Layer[] {
  const out: Layer[] = [];
  const seen = new Set<Layer>();
  const visit = (v: unknown): void => {
    if (v instanceof Layer) {
      if (v !== model && !seen.has(v)) {
        seen.add(v);
        out.push(v);
      }
    } else if (Array.isArray(v)) {
      for (const item of v) visit(item);
    }
  };
  for (const value of Object.values(model)) visit(value);
  return out;
}

registerLayer(Model);
