import type { Callback } from '../nn/callbacks/callback.js';
import type { Model } from './model.js';

/**
 * Adds callbacks to every `fit` (the product layer's extension point: experiment tracking
 * registers one that records runs when KEEL_TRACKING_DIR is set). Receives the model and the
 * user's callbacks, returns the callbacks to append (often none).
 */
export type FitCallbackHook = (model: Model, user: readonly Callback[]) => Callback[];

const hooks = new Set<FitCallbackHook>();

/** Registers a hook for every later `fit`; returns a function that removes it. */
export function addFitCallbackHook(hook: FitCallbackHook): () => void {
  hooks.add(hook);
  return () => hooks.delete(hook);
}

/** The user's callbacks followed by those the registered hooks add. */
export function withHookCallbacks(model: Model, user: readonly Callback[] = []): Callback[] {
  const out = [...user];
  for (const hook of hooks) out.push(...hook(model, user));
  return out;
}
