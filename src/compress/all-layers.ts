import type { Model } from '../models/model.js';
import type { Layer } from '../nn/engine/layer.js';

/** Every layer of `model`, nested models' layers included, each once, in call order. */
export function allLayers(model: Model): Layer[] {
  const out: Layer[] = [];
  const seen = new Set<Layer>();
  const walk = (layers: readonly Layer[]) => {
    for (const l of layers) {
      if (seen.has(l)) continue;
      seen.add(l);
      const inner = (l as Partial<Model>).layers;
      if (Array.isArray(inner)) walk(inner);
      else out.push(l);
    }
  };
  walk(model.layers);
  return out;
}
