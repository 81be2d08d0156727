/** Saves a one-layer model to a Keel file, loads it, and checks the outputs are the same. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../../../../src/io/keel-format/model-file.js';
import { Sequential } from '../../../../src/models/sequential.js';
import type { Layer } from '../../../../src/nn/engine/layer.js';
import type { Tensor } from '../../../../src/tensor/tensor.js';

/** `layer` must carry its inputShape; returns the loaded model's layer. */
export function expectSaveLoadSame(layer: Layer, x: Tensor): Layer {
  const model = new Sequential([layer]);
  const want = model.predict(x) as Tensor;
  const dir = mkdtempSync(join(tmpdir(), 'keel-preproc-'));
  try {
    const file = join(dir, 'm.keel');
    model.save(file);
    const loaded = loadModel(file);
    const got = loaded.predict(x) as Tensor;
    assert.deepEqual([...got.shape], [...want.shape], 'shape after load');
    assert.deepEqual(Array.from(got.data), Array.from(want.data), 'outputs after load');
    return loaded.layers.at(-1)!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
