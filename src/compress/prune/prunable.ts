import type { Model } from '../../models/model.js';
import type { Layer } from '../../nn/engine/layer.js';
import { BaseConv } from '../../nn/layers/base-conv.js';
import { Dense } from '../../nn/layers/dense.js';
import type { Variable } from '../../tensor/tensor.js';
import { allLayers } from '../all-layers.js';

/** A layer whose kernel can be pruned, with that kernel. */
export interface PrunableKernel {
  layer: Layer;
  kernel: Variable;
}

function isPrunable(layer: Layer): layer is Dense | BaseConv {
  return layer instanceof Dense || layer instanceof BaseConv;
}

/**
 * The kernels of the Dense and Conv1D/Conv2D layers of `model` (biases never), or of the layers
 * named in `names`. Errors name the model, unknown names and layers that cannot be pruned (or
 * quantized: `verb` and `done` say which, for quantization-aware training's use).
 */
export function prunableKernels(
  owner: string,
  model: Model,
  names?: readonly string[],
  { verb, done }: { verb: string; done: string } = { verb: 'prune', done: 'pruned' },
): PrunableKernel[] {
  const layers = allLayers(model);
  let chosen: Layer[];
  if (names) {
    const unknown = names.filter((n) => !layers.some((l) => l.name === n));
    if (unknown.length > 0) {
      throw new Error(
        `${owner}: model '${model.name}' has no layers named ${unknown.map((n) => `'${n}'`).join(', ')}`,
      );
    }
    chosen = layers.filter((l) => names.includes(l.name));
    const refused = chosen.filter((l) => !isPrunable(l));
    if (refused.length > 0) {
      throw new Error(
        `${owner}: ${refused.map((l) => `'${l.name}' (${(l.constructor as { className?: string }).className})`).join(', ')} cannot be ${done}; only Dense, Conv1D and Conv2D kernels can`,
      );
    }
  } else {
    chosen = layers.filter(isPrunable);
  }
  const out: PrunableKernel[] = [];
  for (const layer of chosen) {
    if (!isPrunable(layer)) continue;
    if (!layer.kernel) {
      throw new Error(
        `${owner}: layer '${layer.name}' of model '${model.name}' is not built; build the model (give an inputShape or call it) first`,
      );
    }
    out.push({ layer, kernel: layer.kernel });
  }
  if (out.length === 0) {
    throw new Error(
      `${owner}: model '${model.name}' has nothing to ${verb} (no Dense, Conv1D or Conv2D kernels)`,
    );
  }
  return out;
}
