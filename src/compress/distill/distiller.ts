import { noGrad } from '../../autograd/tape.js';
import { type Dataset, isDataset } from '../../data/dataset/dataset.js';
import type { SaveOptions } from '../../io/keel-format/model-file.js';
import type { CompileArgs, LossIdentifier } from '../../models/compile.js';
import {
  type DataInput,
  identityOrder,
  takeRows,
  toTensorList,
} from '../../models/data-adapter.js';
import type { DatasetFitArgs } from '../../models/dataset-loop.js';
import type { FitArgs } from '../../models/fit.js';
import { Model } from '../../models/model.js';
import type { PredictArgs } from '../../models/predict.js';
import type { BatchLoss } from '../../models/train-step.js';
import type { History } from '../../nn/callbacks/history.js';
import type { CallArgs, Layer, LayerInput } from '../../nn/engine/layer.js';
import { getLoss } from '../../nn/losses/get-loss.js';
import { KLDivergence } from '../../nn/losses/kl-divergence.js';
import type { Loss } from '../../nn/losses/loss.js';
import { reduceWeighted } from '../../nn/losses/reduce-weighted.js';
import { add } from '../../ops/add.js';
import { concat } from '../../ops/concat.js';
import { mul } from '../../ops/mul.js';
import { formatShape, shapesEqual } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CaptureSpec, captureDuring, captureSpec, findLayer } from './capture.js';
import {
  type AttentionHint,
  attentionLoss,
  type FeatureHint,
  hintLoss,
  makeAdapter,
} from './hints.js';
import { finalActivation } from './output-kind.js';
import { type OutputActivation, outputLogits, softTargetKL, softTargets } from './soft-targets.js';

/** Options of `Distiller`: teacher, student and optional feature and attention hints. */
export interface DistillerArgs {
  /** The trained teacher: any Keel model (loaded from a Keel, ONNX or TF.js file too). Never updated. */
  teacher: Model;
  /** The model to train; what `predict` and `save` use. */
  student: Model;
  /** FitNets hints between intermediate layers, chosen by name. */
  featureHints?: readonly FeatureHint[];
  /** Attention-map matching between MultiHeadAttention layers, chosen by name. */
  attentionHints?: readonly AttentionHint[];
  name?: string;
}

/**
 * `Distiller.compile`'s options: `compile`'s, with the student's loss and the distillation
 * settings.
 */
export interface DistillerCompileArgs extends Omit<CompileArgs, 'loss' | 'lossWeights'> {
  /** The loss of the student against the true labels (the 'hard' targets). */
  studentLoss: LossIdentifier;
  /**
   * The loss between the softened distributions, times T² (default 'kl_divergence', computed in
   * log space); any other Loss is given the teacher's and the student's softened probabilities.
   */
  distillationLoss?: LossIdentifier;
  /** Weight of the student loss; the distillation term gets 1 − alpha (default 0.1). */
  alpha?: number;
  /** The softmax (or sigmoid) temperature T (default 3). */
  temperature?: number;
  /**
   * 'onTheFly' (default): the teacher runs on every batch. 'cached': `fit` on arrays runs the
   * teacher once over the training set and reuses its outputs every epoch (right when the inputs do
   * not change between epochs, as without augmentation); Datasets and hints still run it per batch.
   */
  teacherOutputs?: 'onTheFly' | 'cached';
  /** How outputs become distributions (default: the student's last activation, else softmax). */
  outputActivation?: OutputActivation;
  /** Whether the teacher's outputs are logits (default: unless its last layer ends in softmax/sigmoid). */
  teacherFromLogits?: boolean;
  /** Whether the student's outputs are logits (default: as for the teacher). */
  studentFromLogits?: boolean;
}

interface Resolved {
  studentLoss: Loss;
  distillationLoss: Loss;
  alpha: number;
  temperature: number;
  cached: boolean;
  activation: OutputActivation;
  teacherProbabilities: boolean;
  studentProbabilities: boolean;
}

/**
 * Knowledge distillation (Hinton et al. 2015) as a Model: a frozen teacher and a trainable student.
 * Training minimises alpha · studentLoss(y, student(x)) + (1 − alpha) · T² · KL(softmax(t/T) ‖
 * softmax(s/T)) plus any feature and attention hints; evaluate reports the student's own loss and
 * metrics; predict and save use the student alone. The teacher always runs with training = false
 * and outside the gradient tape, and its weights are not the Distiller's.
 * `const d = new Distiller({teacher, student}); d.compile({optimizer: 'adam', studentLoss:
 * 'sparse_categorical_crossentropy', metrics: ['accuracy'], alpha: 0.1, temperature: 4});
 * await d.fit(x, y, {epochs: 5}); d.save('student.keel')`
 */
export class Distiller extends Model {
  static override className = 'Distiller';
  readonly teacher: Model;
  readonly student: Model;
  readonly featureHints: readonly FeatureHint[];
  readonly attentionHints: readonly AttentionHint[];
  /** One adapter per feature hint (null while not needed or not yet created). */
  private readonly adapters: (Layer | null)[];
  private readonly teacherCaptures: CaptureSpec[];
  private readonly studentCaptures: CaptureSpec[];
  private resolved: Resolved | null = null;
  /** The student's activations captured in the last training forward pass. */
  private studentFeatures: Tensor[] | null = null;
  /** During a cached `fit`: the number of real inputs (the teacher's outputs come after them). */
  private cachedArity = 0;

  constructor(args: DistillerArgs) {
    super({ name: args.name ?? 'distiller' });
    if (!(args.teacher instanceof Model) || !(args.student instanceof Model))
      throw new TypeError('Distiller: teacher and student must both be Keel models');
    if (args.teacher === args.student)
      throw new Error('Distiller: the teacher and the student are the same model');
    this.teacher = args.teacher;
    this.student = args.student;
    this.featureHints = [...(args.featureHints ?? [])];
    this.attentionHints = [...(args.attentionHints ?? [])];
    const specs = (what: CaptureSpec['what'], side: 'teacher' | 'student') =>
      (what === 'output' ? this.featureHints : this.attentionHints).map((h) =>
        captureSpec(
          findLayer(this[side], side === 'teacher' ? h.teacherLayer : h.studentLayer, side),
          what,
        ),
      );
    this.teacherCaptures = [...specs('output', 'teacher'), ...specs('attention', 'teacher')];
    this.studentCaptures = [...specs('output', 'student'), ...specs('attention', 'student')];
    this.adapters = this.featureHints.map((h) =>
      typeof h.adapter === 'object' ? h.adapter : null,
    );
    this.checkOutputShapes();
    this.built = true;
  }

  /** Compares the two models' output shapes when both are known before any data. */
  private checkOutputShapes(): void {
    const t = this.teacher.graph?.outputs;
    const s = this.student.graph?.outputs;
    if (!t || !s) return;
    if (t.length !== 1 || s.length !== 1)
      throw new Error(
        `Distiller: the teacher '${this.teacher.name}' has ${t.length} outputs and the student '${this.student.name}' ${s.length}; distillation needs one output each`,
      );
    const ts = t[0]!.shape.slice(1);
    const ss = s[0]!.shape.slice(1);
    const same =
      ts.length === ss.length && ts.every((d, i) => d === null || ss[i] === null || d === ss[i]);
    if (!same) throw this.outputShapeError(t[0]!.shape, s[0]!.shape);
  }

  private outputShapeError(t: readonly (number | null)[], s: readonly (number | null)[]): Error {
    return new RangeError(
      `Distiller: the teacher '${this.teacher.name}' outputs ${formatShape(t.map((d) => d ?? -1)).replaceAll('-1', '*')} but the student '${this.student.name}' outputs ${formatShape(s.map((d) => d ?? -1)).replaceAll('-1', '*')}; their outputs must have the same shape (the same classes, or tokens × vocabulary) to be compared`,
    );
  }

  /** The student and the adapters: the Distiller's weights (the teacher's are not among them). */
  override get layers(): Layer[] {
    return [this.student, ...this.adapters.filter((a): a is Layer => a !== null)];
  }

  /**
   * `distiller.compile({optimizer, metrics, studentLoss, distillationLoss, alpha, temperature})`;
   * metrics are the student's, on the true labels.
   */
  override compile(args: CompileArgs | DistillerCompileArgs): void {
    const a = args as DistillerCompileArgs;
    if (a.studentLoss === undefined)
      throw new TypeError(
        "Distiller.compile: 'studentLoss' is required (e.g. 'categorical_crossentropy')",
      );
    const alpha = a.alpha ?? 0.1;
    if (!(alpha >= 0 && alpha <= 1))
      throw new RangeError(`Distiller.compile: alpha must be in [0, 1], got ${alpha}`);
    const temperature = a.temperature ?? 3;
    if (!(temperature > 0) || !Number.isFinite(temperature))
      throw new RangeError(
        `Distiller.compile: temperature must be a positive number, got ${temperature}`,
      );
    const studentLoss = getLoss(a.studentLoss);
    const auto = (m: Model) => finalActivation(m);
    const activation =
      a.outputActivation ??
      auto(this.student) ??
      (studentLoss.name.startsWith('binary') ? 'sigmoid' : 'softmax');
    this.resolved = {
      studentLoss,
      distillationLoss: getLoss(a.distillationLoss ?? 'kl_divergence'),
      alpha,
      temperature,
      cached: (a.teacherOutputs ?? 'onTheFly') === 'cached',
      activation,
      teacherProbabilities: !(a.teacherFromLogits ?? auto(this.teacher) === null),
      studentProbabilities: !(a.studentFromLogits ?? auto(this.student) === null),
    };
    super.compile({ optimizer: a.optimizer, metrics: a.metrics, loss: studentLoss });
  }

  private get settings(): Resolved {
    if (!this.resolved) throw new Error(`Distiller '${this.name}': call compile first`);
    return this.resolved;
  }

  override call(inputs: LayerInput, args: CallArgs): LayerInput {
    let list = Array.isArray(inputs) ? inputs : [inputs];
    if (this.cachedArity > 0 && list.length === this.cachedArity + 1) list = list.slice(0, -1);
    const x = list.length === 1 ? list[0]! : list;
    if (!args.training || this.studentCaptures.length === 0) return this.student.apply(x, args);
    const { result, captured } = captureDuring(this.studentCaptures, () =>
      this.student.apply(x, args),
    );
    this.studentFeatures = captured;
    return result;
  }

  /** The teacher's output logits on x (and its captured activations), inference mode, no gradient. */
  private runTeacher(xs: readonly Tensor[]): { logits: Tensor; features: Tensor[] } {
    const s = this.settings;
    return noGrad(() => {
      const x = xs.length === 1 ? xs[0]! : [...xs];
      const { result, captured } = captureDuring(this.teacherCaptures, () =>
        this.teacher.apply(x, { training: false }),
      );
      if (Array.isArray(result))
        throw new Error(
          `Distiller: the teacher '${this.teacher.name}' returns ${result.length} outputs; distillation needs one`,
        );
      return {
        logits: outputLogits(result as Tensor, s.activation, s.teacherProbabilities),
        features: captured,
      };
    });
  }

  override computeLoss(
    xs: readonly Tensor[],
    ys: readonly Tensor[],
    preds: readonly Tensor[],
    sampleWeight: Tensor | null,
    training: boolean,
  ): BatchLoss {
    if (!training) return super.computeLoss(xs, ys, preds, sampleWeight, training);
    const s = this.settings;
    const sw = sampleWeight ?? undefined;
    const pred = preds[0]!;
    const studentLoss = s.studentLoss.compute(ys[0]!, pred, sw);
    const fromCache = this.cachedArity > 0 && xs.length === this.cachedArity + 1;
    const teacher = fromCache ? { logits: xs[xs.length - 1]!, features: [] } : this.runTeacher(xs);
    if (!shapesEqual(teacher.logits.shape, pred.shape))
      throw this.outputShapeError(teacher.logits.shape, pred.shape);
    const studentLogits = outputLogits(pred, s.activation, s.studentProbabilities);
    const perSample =
      s.distillationLoss instanceof KLDivergence
        ? softTargetKL(teacher.logits, studentLogits, s.temperature, s.activation)
        : mul(
            s.distillationLoss.call(
              softTargets(teacher.logits, s.temperature, s.activation),
              softTargets(studentLogits, s.temperature, s.activation),
            ),
            s.temperature * s.temperature,
          );
    const distillation = reduceWeighted('distillation_loss', perSample, sw);
    let total = add(mul(studentLoss, s.alpha), mul(distillation, 1 - s.alpha));
    const terms: Record<string, Tensor> = {
      student_loss: studentLoss,
      distillation_loss: distillation,
    };
    const features = this.studentFeatures ?? [];
    this.studentFeatures = null;
    this.featureHints.forEach((hint, i) => {
      const t = teacher.features[i]!;
      const st = features[i]!;
      if (this.adapters[i] === null) this.adapters[i] = makeAdapter(hint, t, st);
      const term = reduceWeighted('hint_loss', hintLoss(hint, this.adapters[i]!, t, st), sw);
      terms[`hint_${hint.studentLayer}`] = term;
      total = add(total, mul(term, hint.weight ?? 1));
    });
    const n = this.featureHints.length;
    this.attentionHints.forEach((hint, i) => {
      const term = reduceWeighted(
        'attention_loss',
        attentionLoss(hint, teacher.features[n + i]!, features[n + i]!),
        sw,
      );
      terms[`attention_${hint.studentLayer}`] = term;
      total = add(total, mul(term, hint.weight ?? 1));
    });
    for (const penalty of this.regularizationLosses()) total = add(total, penalty);
    return { total, perOutput: [studentLoss], terms };
  }

  /**
   * Trains the student (see the class). With teacherOutputs 'cached' and array data, the teacher
   * runs once over x first and its outputs travel with the samples through shuffling and splits.
   */
  override fit(x: DataInput, y: DataInput, args?: FitArgs): Promise<History>;
  override fit(x: Dataset, args?: DatasetFitArgs): Promise<History>;
  override async fit(
    x: DataInput | Dataset,
    y?: DataInput | DatasetFitArgs,
    args: FitArgs = {},
  ): Promise<History> {
    const s = this.settings;
    if (isDataset(x)) return super.fit(x, y as DatasetFitArgs);
    const useCache = s.cached && this.teacherCaptures.length === 0;
    if (!useCache) return super.fit(x, y as DataInput, args);
    const xs = toTensorList('fit', 'x', x, this.student.inputNames);
    const logits = this.teacherOutputsFor(xs, Math.max(256, args.batchSize ?? 32));
    this.cachedArity = xs.length;
    try {
      return await super.fit([...xs, logits], y as DataInput, args);
    } finally {
      this.cachedArity = 0;
    }
  }

  /** The teacher's logits on every sample of xs, computed in batches (what 'cached' keeps). */
  teacherOutputsFor(xs: readonly Tensor[], batchSize = 256): Tensor {
    const n = xs[0]!.shape[0]!;
    const order = identityOrder(n);
    const parts: Tensor[] = [];
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      parts.push(this.runTeacher(xs.map((t) => takeRows(t, order, start, end))).logits.detach());
    }
    return parts.length === 1 ? parts[0]! : concat(parts, 0);
  }

  /** The student's outputs (the teacher is not run). */
  override predict(x: DataInput, args?: PredictArgs): Tensor | Tensor[];
  override predict(x: Dataset, args?: PredictArgs): Promise<Tensor | Tensor[]>;
  override predict(
    x: DataInput | Dataset,
    args: PredictArgs = {},
  ): Tensor | Tensor[] | Promise<Tensor | Tensor[]> {
    return isDataset(x) ? this.student.predict(x, args) : this.student.predict(x, args);
  }

  /** Saves the student alone, as an ordinary Keel model file: `loadModel(path)` returns the student. */
  override save(path: string, options: SaveOptions = {}): void {
    this.student.save(path, options);
  }

  override getConfig(): Record<string, unknown> {
    throw new Error(
      `Distiller '${this.name}': a Distiller is not saved as a whole; distiller.save(path) writes the student alone (for checkpoints use ModelCheckpoint({saveWeightsOnly: true}))`,
    );
  }
}
