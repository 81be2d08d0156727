/**
 * Loading never allocates more than the file justifies: tiny Keel files that declare layers whose
 * dry-run activations would take gigabytes get a clear error naming the file and the budget
 * (LoadOptions.maxActivationBytes), checked in child processes with a memory cap; the budget is
 * configurable; initializers do not run when the file supplies every weight.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultActivationBytes, loadModelFromBytes } from '../../src/io/keel-format/model-file.js';
import { encodeSafetensors } from '../../src/io/safetensors-writer.js';
import { weightBudget } from '../../src/nn/engine/layer.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { ones } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { assertCleanError, assertSurvived, runIsolated } from './child.js';
import '../../src/models/sequential.js';
import '../../src/backends/index.js';

/** A weightless Keel file: one layer (className, config), built by loading on the input signature. */
function keelFile(className: string, config: object, inputShape: (number | null)[]): Uint8Array {
  const model = {
    className: 'Sequential',
    config: {
      name: 'sequential',
      layers: [{ className, config: { name: 'layer', ...config } }],
    },
  };
  const metadata = {
    format: 'keel',
    format_version: '1',
    model: JSON.stringify(model),
    weights: '[]',
    input_signature: JSON.stringify([{ shape: inputShape, dtype: 'float32' }]),
  };
  return new Uint8Array(Buffer.concat(encodeSafetensors([], metadata)));
}

/** The statements a child runs to load `bytes` (given as a number array) as 'tiny.keel'. */
function loadInChild(bytes: Uint8Array): string {
  return `
    const { loadModelFromBytes } = await import(SRC + '/io/keel-format/model-file.ts');
    await import(SRC + '/models/sequential.ts');
    await import(SRC + '/backends/index.ts');
    const bytes = Uint8Array.from(${JSON.stringify(Array.from(bytes))});
    loadModelFromBytes(bytes, 'tiny.keel');
    return 'loaded';`;
}

describe('load-time memory budget', () => {
  // ZeroPadding infers its output shape with the default dry run (a call on zeros).
  it('a ~300-byte file zero-padding a 4x4 image by 20000 (6.4 GB) is a clean error, in bounded memory', async () => {
    const bytes = keelFile('ZeroPadding2D', { padding: 20000 }, [null, 4, 4, 1]);
    assert.ok(bytes.length < 400, `the file has ${bytes.length} bytes`);
    const r = await runIsolated(loadInChild(bytes), { maxMiB: 1024 });
    assertCleanError(r, /tiny\.keel: cannot rebuild the model: .*maxActivationBytes/);
  });

  it('a 1-D zero padding of 2^30 steps on each side (8 GB) is a clean error', async () => {
    const r = await runIsolated(
      loadInChild(keelFile('ZeroPadding1D', { padding: 2 ** 30 }, [null, 4, 1])),
    );
    assertCleanError(
      r,
      /tiny\.keel: cannot rebuild the model: .*(maxActivationBytes|RepeatVector)/,
    );
  });

  it('a Dense of 2^31 units and a huge input signature are clean errors naming the file', async () => {
    const cases: [Uint8Array, RegExp][] = [
      [
        keelFile('Dense', { units: 2 ** 31 }, [null, 4]),
        /tiny\.keel: .*kernel.*the file being loaded allows/,
      ],
      [
        keelFile('Dense', { units: 2 }, [null, 2 ** 40]),
        /tiny\.keel: input_signature shape .* larger than the file allows/,
      ],
    ];
    for (const [bytes, pattern] of cases) {
      assertCleanError(await runIsolated(loadInChild(bytes)), pattern);
    }
  });

  it('the budget is configurable: a 1 MiB dry run loads by default and fails under 1000 bytes', async () => {
    const bytes = keelFile('ZeroPadding2D', { padding: 256 }, [null, 4, 4, 1]);
    assert.equal(defaultActivationBytes(bytes.length), 64 * 2 ** 20);
    const model = loadModelFromBytes(bytes, 'up.keel');
    assert.deepEqual((model.predict(ones([1, 4, 4, 1])) as Tensor).shape, [1, 516, 516, 1]);
    assert.throws(
      () => loadModelFromBytes(bytes, 'up.keel', { maxActivationBytes: 1000 }),
      /up\.keel: cannot rebuild the model: a float32 tensor .* needs \d+ bytes, more than the \d+ bytes left .*maxActivationBytes/,
    );
    assert.throws(
      () => loadModelFromBytes(bytes, 'up.keel', { maxActivationBytes: -1 }),
      /up\.keel: maxActivationBytes must be >= 0/,
    );
  });

  it('initializers do not run while a file that supplies the weights is rebuilt', () => {
    let calls = 0;
    const counting = (shape: number[]) => {
      calls++;
      return ones(shape);
    };
    const previous = weightBudget.skipInitializers;
    weightBudget.skipInitializers = true;
    try {
      const layer = new Dense(3, { kernelInitializer: counting as never });
      layer.apply(ones([1, 2]));
      assert.equal(calls, 0);
      assert.deepEqual(Array.from(layer.weights[0]!.data), new Array(6).fill(0));
    } finally {
      weightBudget.skipInitializers = previous;
    }
    new Dense(3, { kernelInitializer: counting as never }).apply(ones([1, 2]));
    assert.equal(calls, 1);
  });

  it('a child that loads a valid tiny model reports success (the harness itself)', async () => {
    const r = await runIsolated(
      loadInChild(keelFile('UpSampling2D', { size: [2, 2] }, [null, 2, 2, 1])),
    );
    assert.deepEqual(assertSurvived(r), { ok: true, value: 'loaded' });
  });
});
