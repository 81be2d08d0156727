/**
 * Where TensorFlow.js computes or writes a layer differently from Keras, a loaded tfjs model is
 * made to compute as TensorFlow.js does (the runtime its files were made for and are checked
 * against). Works on Keel's camelCase topology, in place, before the model is built.
 * - UpSampling2D 'bilinear': tfjs resizes without half-pixel centers (source = i / factor);
 *   Keras samples at half-pixel centers.
 * - SeparableConv1D/2D: tfjs's getConfig leaves depth_multiplier out; the depthwise kernel's
 *   last axis holds it.
 */
import type { Tensor } from '../../tensor/tensor.js';
import { isJsonObject } from '../../utils/json-guard.js';

type Json = Record<string, unknown>;

/** Applies TensorFlow.js's semantics to every layer config of `node`, nested models included. */
export function applyTfjsSemantics(node: unknown, tensors: Map<string, Tensor>): void {
  if (Array.isArray(node)) {
    for (const x of node) applyTfjsSemantics(x, tensors);
    return;
  }
  if (!isJsonObject(node)) return;
  const config = node['config'];
  if (typeof node['className'] === 'string' && isJsonObject(config)) {
    adjustLayer(node['className'], config, tensors);
  }
  for (const v of Object.values(node)) {
    if (typeof v === 'object' && v !== null) applyTfjsSemantics(v, tensors);
  }
}

function adjustLayer(className: string, config: Json, tensors: Map<string, Tensor>): void {
  if (className === 'UpSampling2D' && config['interpolation'] === 'bilinear') {
    config['halfPixelCenters'] = false;
  }
  if (
    (className === 'SeparableConv2D' || className === 'SeparableConv1D') &&
    config['depthMultiplier'] === undefined &&
    typeof config['name'] === 'string'
  ) {
    const suffix = `${config['name']}/depthwise_kernel`;
    for (const [name, t] of tensors) {
      const key = name.replace(/:0$/, '');
      if ((key === suffix || key.endsWith(`/${suffix}`)) && t.shape.length >= 3) {
        config['depthMultiplier'] = t.shape[t.shape.length - 1];
        break;
      }
    }
  }
}
