import type { Model } from '../../models/model.js';
import type { Layer } from '../../nn/engine/layer.js';
import { getRng, Rng, type RngState } from '../../random/rng.js';
import { isJsonObject } from '../../utils/json-guard.js';

/**
 * The random state a training run depends on besides weights and optimizer: the global generator
 * (dropout without a seed, shuffling, random augmentation) and each layer's own generators (a
 * seeded Dropout's, an RNN's, ...). Model files saved with `includeOptimizer` and
 * BackupAndRestore's backups both carry it, so that training resumes on the same random numbers.
 */
export interface RandomState {
  /** The global generator's state. */
  rng: RngState;
  /** The layers' own generators, in layer order (absent in older files). */
  layerRngs?: RngState[];
}

/** Every random generator owned by a layer of `model`, nested layers included, in layer order. */
export function layerGenerators(model: Model): Rng[] {
  const seen = new Set<Layer>();
  const out: Rng[] = [];
  const visit = (layer: Layer) => {
    if (seen.has(layer)) return;
    seen.add(layer);
    out.push(...layer.ownRandomGenerators());
    for (const l of layer.sublayers) visit(l);
  };
  visit(model);
  return out;
}

/** The global generator's state and `model`'s layer generators' states, now. */
export function captureRandomState(model: Model): RandomState {
  return {
    rng: getRng().getState(),
    layerRngs: layerGenerators(model).map((g) => g.getState()),
  };
}

/**
 * Checks a saved random state against `model` (every generator it names exists) and returns the
 * function that applies it; nothing is changed until that is called, so a bad file changes nothing.
 */
export function checkRandomState(model: Model, value: unknown, source: string): () => void {
  if (!isJsonObject(value) || !isJsonObject(value['rng'])) {
    throw new Error(`${source}: the random state must be {rng, layerRngs}`);
  }
  const state = value as unknown as RandomState;
  const generators = layerGenerators(model);
  const layerRngs = state.layerRngs ?? [];
  if (
    state.layerRngs !== undefined &&
    (!Array.isArray(layerRngs) || layerRngs.length !== generators.length)
  ) {
    throw new Error(
      `${source}: the file has ${Array.isArray(layerRngs) ? layerRngs.length : 'no list of'} layer random generators, the model ${generators.length}`,
    );
  }
  // Rng.setState validates; each state is tried on a scratch generator first.
  const scratch = new Rng(0);
  const check = (s: RngState, what: string) => {
    try {
      scratch.setState(s);
    } catch (e) {
      throw new Error(`${source}: ${what}: ${(e as Error).message}`);
    }
  };
  check(state.rng, 'the global random state');
  for (const [i, s] of layerRngs.entries()) check(s, `layer random generator ${i}`);
  return () => {
    getRng().setState(state.rng);
    for (const [i, s] of layerRngs.entries()) generators[i]!.setState(s);
  };
}
