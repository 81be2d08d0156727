/**
 * The config of `keel distill`: a training config whose `model` is the `student`, plus the
 * `teacher` model file and the `distill` settings (temperature, alpha). `compile` is optional:
 * without it the student gets Adam and the teacher's saved loss and metrics.
 */
import { UsageError } from '../errors.js';
import {
  checkKeys,
  checkSections,
  type DataSpec,
  type LayerSpec,
  readConfigFile,
  type TrainConfig,
} from './config.js';

export interface DistillConfig {
  name?: string;
  seed?: number;
  /** The trained teacher: a Keel, ONNX or TensorFlow.js model file. */
  teacher: string;
  student: { layers: LayerSpec[]; name?: string };
  data: DataSpec;
  compile?: TrainConfig['compile'];
  distill?: {
    /** Softmax temperature T (default 3). */
    temperature?: number;
    /** Weight of the student's loss on the true labels; the soft term gets 1 - alpha (default 0.1). */
    alpha?: number;
    /** 'onTheFly' (default) or 'cached': the teacher runs once over the training set. */
    teacherOutputs?: 'onTheFly' | 'cached';
  };
  fit?: TrainConfig['fit'];
  /** The student's model file (default: the config's name + '.keel'). */
  output?: string;
}

export const DISTILL_KEYS = {
  '': [
    '$comment',
    'name',
    'seed',
    'teacher',
    'student',
    'data',
    'compile',
    'distill',
    'fit',
    'output',
  ],
  distill: ['temperature', 'alpha', 'teacherOutputs'],
} as const satisfies Record<string, readonly string[]>;

/** Reads and checks a distillation config (.json, .yaml or .yml): every key is known. */
export function readDistillConfig(path: string): DistillConfig {
  const raw = readConfigFile(path);
  checkKeys(path, '', raw, DISTILL_KEYS['']);
  const config = raw as Record<string, unknown>;
  if (typeof config['teacher'] !== 'string' || config['teacher'] === '')
    throw new UsageError(`${path}: 'teacher' must be the path of a trained model file`);
  checkSections(path, config, ['student', 'data'], 'student');
  const distill = config['distill'];
  if (distill !== undefined) {
    checkKeys(path, 'distill', distill, DISTILL_KEYS.distill);
    const { temperature, alpha, teacherOutputs } = distill as Record<string, unknown>;
    if (temperature !== undefined && !(typeof temperature === 'number' && temperature > 0))
      throw new UsageError(
        `${path}: 'distill.temperature' must be a positive number, got ${JSON.stringify(temperature)}`,
      );
    if (alpha !== undefined && !(typeof alpha === 'number' && alpha >= 0 && alpha <= 1))
      throw new UsageError(
        `${path}: 'distill.alpha' must be a number in [0, 1], got ${JSON.stringify(alpha)}`,
      );
    if (
      teacherOutputs !== undefined &&
      teacherOutputs !== 'onTheFly' &&
      teacherOutputs !== 'cached'
    )
      throw new UsageError(
        `${path}: 'distill.teacherOutputs' must be 'onTheFly' or 'cached', got ${JSON.stringify(teacherOutputs)}`,
      );
  }
  return config as unknown as DistillConfig;
}
