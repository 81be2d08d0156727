/**
 * TensorFlow.js layers topology (Keras's snake_case JSON) ↔ Keel's configs (the same structure
 * in camelCase). Initializers, constraints and activity regularizers are dropped in both
 * directions: loaded weights replace the former, and Keel has none of the latter.
 */

const DROPPED = /(Initializer|Constraint)$|^(activityRegularizer|sparse|ragged)$/;
const DROPPED_SNAKE = /(_initializer|_constraint)$|^(activity_regularizer|sparse|ragged)$/;

import { registerActivation } from '../../nn/activations/get-activation.js';
import { add, clipByValue, mul } from '../../ops/index.js';

/**
 * tfjs (like Keras 2) defines hard_sigmoid as clip(0.2·x + 0.5, 0, 1), the default recurrent
 * activation of its LSTM and GRU; Keel's (Keras 3's) is relu6(x + 3) / 6. Loaded tfjs models get
 * tfjs's under its own name, which is written back as 'hard_sigmoid'.
 */
export const TFJS_HARD_SIGMOID = 'tfjs_hard_sigmoid';
registerActivation(TFJS_HARD_SIGMOID, (x) => clipByValue(add(mul(x, 0.2), 0.5), 0, 1));

const ACTIVATION_KEY = /(^|_)activation$/;

const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A tfjs/Keras topology node → Keel's spelling (class names: 'Model' becomes 'Functional'). */
export function tfjsToKeel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(tfjsToKeel);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (DROPPED_SNAKE.test(k)) continue;
    if (k === 'class_name') out['className'] = v === 'Model' ? 'Functional' : v;
    else if (ACTIVATION_KEY.test(k) && v === 'hard_sigmoid') out[camel(k)] = TFJS_HARD_SIGMOID;
    else out[camel(k)] = tfjsToKeel(v);
  }
  return out;
}

/** A Keel config node → tfjs/Keras's spelling; nulls and Keel-only keys are left out. */
export function keelToTfjs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keelToTfjs);
  if (typeof value !== 'object' || value === null) return value;
  checkTfjsComputesAlike(value as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    // halfPixelCenters: false is tfjs's own bilinear UpSampling2D, which tfjs has no key for.
    if (DROPPED.test(k) || v === null || k === 'buildInputShape' || k === 'halfPixelCenters')
      continue;
    if (k === 'className') out['class_name'] = v === 'Functional' ? 'Model' : v;
    else if (/Activation$|^activation$/.test(k) && typeof v === 'string')
      out[snake(k)] = tfjsActivation(v);
    else out[snake(k)] = keelToTfjs(v);
  }
  return out;
}

/** Refuses a layer tfjs would load but compute differently (as Keel's hard_sigmoid below). */
function checkTfjsComputesAlike(node: Record<string, unknown>): void {
  const config = node['config'] as Record<string, unknown> | undefined;
  if (
    node['className'] === 'UpSampling2D' &&
    config?.['interpolation'] === 'bilinear' &&
    config['halfPixelCenters'] !== false
  ) {
    throw new Error(
      `toTfjsArtifacts: UpSampling2D '${String(config['name'])}' interpolates with half-pixel centers (Keras's bilinear); tfjs's bilinear UpSampling2D samples at i / factor; use halfPixelCenters: false or 'nearest'`,
    );
  }
}

/** Keel's activation name as tfjs spells it; Keel's hard_sigmoid (slope 1/6) has no tfjs twin. */
function tfjsActivation(name: string): string {
  if (name === TFJS_HARD_SIGMOID) return 'hard_sigmoid';
  if (name.replace(/_/g, '').toLowerCase() === 'hardsigmoid') {
    throw new Error(
      "toTfjsArtifacts: Keel's hard_sigmoid (relu6(x + 3) / 6) differs from tfjs's (clip(0.2x + 0.5, 0, 1)); use 'sigmoid' or 'tfjs_hard_sigmoid'",
    );
  }
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
