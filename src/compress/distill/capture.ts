import type { CallArgs, Layer, LayerInput } from '../../nn/engine/layer.js';
import type { AttentionCache } from '../../nn/layers/multi-head-attention.js';
import { MultiHeadAttention } from '../../nn/layers/multi-head-attention.js';
import { Tensor } from '../../tensor/tensor.js';

/** Every layer inside `root` (depth first, root included), each once. */
function allLayers(root: Layer): Layer[] {
  const out: Layer[] = [];
  const seen = new Set<Layer>();
  const stack = [root];
  while (stack.length > 0) {
    const layer = stack.pop()!;
    if (seen.has(layer)) continue;
    seen.add(layer);
    out.push(layer);
    stack.push(...[...layer.sublayers].reverse());
  }
  return out;
}

/** The layer named `name` anywhere inside `model`; the error lists the names there are. */
export function findLayer(model: Layer, name: string, role: string): Layer {
  const layers = allLayers(model);
  const found = layers.find((l) => l.name === name);
  if (found) return found;
  const names = layers.slice(1).map((l) => `'${l.name}'`);
  throw new Error(
    `Distiller: the ${role} '${model.name}' has no layer named '${name}'; its layers are ${names.join(', ')}`,
  );
}

/** The capture of `what` from `layer`: attention maps only come from MultiHeadAttention layers. */
export function captureSpec(layer: Layer, what: CaptureSpec['what']): CaptureSpec {
  if (what === 'attention' && !(layer instanceof MultiHeadAttention))
    throw new TypeError(
      `Distiller: attention maps come from MultiHeadAttention layers; '${layer.name}' is a ${(layer.constructor as { className?: string }).className}`,
    );
  return { layer, what };
}

/** What to record from a layer: its output, or (a MultiHeadAttention) its attention scores. */
export interface CaptureSpec {
  layer: Layer;
  what: 'output' | 'attention';
}

type CallFn = (inputs: LayerInput, args?: CallArgs) => LayerInput;
type CacheFn = (
  x: Tensor,
  cache: AttentionCache | null,
  options?: Record<string, unknown>,
) => {
  output: Tensor;
  cache: AttentionCache;
};

/** A cache that cannot be read: the capture computed this step without one. */
const NO_CACHE: AttentionCache = {
  get key(): Tensor {
    throw new Error('Distiller: no attention cache is kept while attention maps are captured');
  },
  get value(): Tensor {
    throw new Error('Distiller: no attention cache is kept while attention maps are captured');
  },
};

/**
 * Runs `fn` while the given layers record what they produce, and returns its result with one
 * tensor per spec (the last call's, when a layer runs twice). The layers' own `call` (and
 * `callWithCache`, which Transformer blocks use for their sublayers) are wrapped on the instance
 * only for the duration of `fn`, so no layer knows about distillation. A layer that did not run
 * is an error naming it.
 */
export function captureDuring<T>(
  specs: readonly CaptureSpec[],
  fn: () => T,
): { result: T; captured: Tensor[] } {
  const captured: (Tensor | undefined)[] = specs.map(() => undefined);
  const restore: (() => void)[] = [];
  const patch = (layer: Layer, key: 'call' | 'callWithCache', fnNew: unknown) => {
    const target = layer as unknown as Record<string, unknown>;
    const own = Object.hasOwn(target, key);
    const previous = target[key];
    target[key] = fnNew;
    restore.push(() => {
      if (own) target[key] = previous;
      else delete target[key];
    });
  };
  specs.forEach((spec, i) => {
    const layer = spec.layer as unknown as { call: CallFn; callWithCache?: CacheFn };
    const call = layer.call.bind(layer);
    if (spec.what === 'attention') {
      const withScores = (inputs: LayerInput, args: CallArgs = {}): Tensor => {
        const [output, scores] = call(inputs, { ...args, returnAttentionScores: true }) as Tensor[];
        captured[i] = scores;
        return output!;
      };
      patch(spec.layer, 'call', (inputs: LayerInput, args: CallArgs = {}) =>
        args['returnAttentionScores'] ? call(inputs, args) : withScores(inputs, args),
      );
      const cached = layer.callWithCache!.bind(layer);
      patch(
        spec.layer,
        'callWithCache',
        (x: Tensor, cache: AttentionCache | null, o: Record<string, unknown> = {}) => {
          if (cache) return cached(x, cache, o);
          const value = (o['value'] as Tensor | undefined) ?? x;
          spec.layer.ensureBuilt([x.shape, value.shape, value.shape]);
          return { output: withScores([x, value], o as CallArgs), cache: NO_CACHE };
        },
      );
    } else {
      patch(spec.layer, 'call', (inputs: LayerInput, args?: CallArgs) => {
        const out = call(inputs, args);
        captured[i] = out instanceof Tensor ? out : (out as Tensor[])[0];
        return out;
      });
      if (typeof layer.callWithCache === 'function') {
        const cached = layer.callWithCache.bind(layer);
        patch(
          spec.layer,
          'callWithCache',
          (x: Tensor, cache: AttentionCache | null, o?: Record<string, unknown>) => {
            const r = cached(x, cache, o);
            captured[i] = r.output;
            return r;
          },
        );
      }
    }
  });
  let result: T;
  try {
    result = fn();
  } finally {
    for (const undo of restore.reverse()) undo();
  }
  const missing = specs.findIndex((_, i) => captured[i] === undefined);
  if (missing >= 0)
    throw new Error(
      `Distiller: layer '${specs[missing]!.layer.name}' did not run in the forward pass, so its ${specs[missing]!.what === 'output' ? 'activations' : 'attention map'} could not be matched`,
    );
  return { result, captured: captured as Tensor[] };
}
