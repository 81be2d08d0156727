import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadModel, trainedEpochs } from '../../src/io/keel-format/model-file.js';
import { readSafetensors } from '../../src/io/safetensors-read.js';
import { saveSafetensors } from '../../src/io/safetensors-writer.js';
import { Sequential } from '../../src/models/sequential.js';
import * as L from '../../src/nn/layers/index.js';
import { SparseCategoricalCrossentropy } from '../../src/nn/losses/sparse-categorical-crossentropy.js';
import { AdamW } from '../../src/nn/optimizers/adamw.js';
import { Rng, setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import { tensor } from '../../src/tensor/create.js';
import { bits, buildCase, caseData, OPTIMIZERS, RATES } from './fixtures/resume-cases.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-save-resume-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The matrix's model with its backup-free settings: no callbacks, a fresh fit per call. */
const build = (opt: string, rate: string, accumulation: number) =>
  buildCase(opt, rate, accumulation, 5);

const [x, y] = caseData();
// 10 samples in batches of 4: 3 calls an epoch, so after 2 epochs an accumulation over 4 is mid-cycle.
const fitArgs = { batchSize: 4, verbose: 0 } as const;
const EPOCHS = 4;
const SAVED_AT = 2;

describe('model.save({includeOptimizer}) + loadModel + fit continues bit-identically', () => {
  it('optimizer x schedule x accumulation, with dropout and shuffling', async () => {
    let cases = 0;
    let differ = 0;
    for (const opt of Object.keys(OPTIMIZERS)) {
      for (const rate of Object.keys(RATES)) {
        for (const accumulation of [1, 4]) {
          const name = `${opt} / ${rate} / accumulation ${accumulation}`;
          const straight = build(opt, rate, accumulation);
          setSeed(1234);
          await straight.fit(x, y, { ...fitArgs, epochs: EPOCHS });

          const first = build(opt, rate, accumulation);
          setSeed(1234);
          await first.fit(x, y, { ...fitArgs, epochs: SAVED_AT });
          const path = join(dir, `case-${cases}.keel`);
          first.save(path, { includeOptimizer: true });
          if (accumulation > 1) assert.notEqual(first.optimizer!.accumulationStep, 0, name);
          setSeed(999); // the loading process's generator is elsewhere
          const loaded = loadModel(path);
          assert.equal(trainedEpochs(loaded), SAVED_AT, `${name}: epochs trained`);
          await loaded.fit(x, y, {
            ...fitArgs,
            epochs: EPOCHS,
            initialEpoch: trainedEpochs(loaded),
          });
          assert.ok(
            bits(loaded.getWeights()).equals(bits(straight.getWeights())),
            `${name}: weights`,
          );
          assert.equal(loaded.optimizer!.iterations, straight.optimizer!.iterations, name);
          assert.equal(loaded.optimizer!.learningRate, straight.optimizer!.learningRate, name);

          // Without the random state the continuation draws other dropout masks and orders.
          setSeed(999);
          const fresh = loadModel(path, { restoreRandomState: false });
          await fresh.fit(x, y, { ...fitArgs, epochs: EPOCHS, initialEpoch: SAVED_AT });
          if (!bits(fresh.getWeights()).equals(bits(straight.getWeights()))) differ++;
          cases++;
        }
      }
    }
    console.log(
      `save/load resume: ${cases} cases bit-identical; ${differ} differ without the random state`,
    );
    assert.equal(differ, cases, 'every case depends on the saved random state');
  });

  it('a loaded model saved again keeps its epoch count; bad training state is named', () => {
    const model = build('Adam', 'constant', 1);
    const path = join(dir, 'again.keel');
    model.save(path, { includeOptimizer: true });
    assert.equal(trainedEpochs(loadModel(path)), 0);
    const { metadata, tensors } = readSafetensors(path);
    const state = JSON.parse(metadata['training_state']!);
    const write = (training: unknown) => {
      const bad = join(dir, 'bad.keel');
      saveSafetensors(bad, [...tensors.entries()], {
        ...metadata,
        training_state: JSON.stringify(training),
      });
      return bad;
    };
    const resaved = join(dir, 'resaved.keel');
    loadModel(write({ ...state, epoch: 3 })).save(resaved, { includeOptimizer: true });
    assert.equal(trainedEpochs(loadModel(resaved)), 3);
    assert.throws(() => loadModel(write({ ...state, epoch: -1 })), /training_state/);
    assert.throws(
      () => loadModel(write({ ...state, layerRngs: [] })),
      /has 0 layer random generators, the model 1/,
    );
    assert.throws(
      () => loadModel(write({ ...state, rng: { s: [1, 2], spareNormal: null } })),
      /bad\.keel: the global random state: Rng\.setState/,
    );
    // Without compiling, nothing of the training state is applied.
    assert.equal(trainedEpochs(loadModel(write({ ...state, epoch: -1 }), { compile: false })), 0);
  });
});

describe('model files keep the settings that shape training', () => {
  it("the loss's config (fromLogits) and AdamW's weight-decay exclusions", () => {
    setSeed(4);
    const make = () => {
      const model = new Sequential([
        new L.Dense(5, { inputShape: [3] }),
        new L.LayerNormalization(),
        new L.Dense(4),
      ]);
      const optimizer = new AdamW({ learningRate: 0.05, weightDecay: 0.5 });
      optimizer.excludeFromWeightDecay({ belowRank: 2, variables: [model.layers[2]!.weights[0]!] });
      model.compile({
        optimizer,
        loss: new SparseCategoricalCrossentropy({ fromLogits: true }),
      });
      return model;
    };
    const model = make();
    const x = randomUniform([6, 3], -1, 1, { rng: new Rng(1) });
    const y = tensor([0, 1, 2, 3, 0, 1], [6], 'int32');
    model.trainOnBatch(x, y);
    const path = join(dir, 'settings.keel');
    model.save(path, { includeOptimizer: true });
    const loaded = loadModel(path);
    const loss = loaded.compiled!.losses[0] as SparseCategoricalCrossentropy;
    assert.equal(loss.fromLogits, true);
    const ex = loaded.optimizer!.weightDecayExclusions();
    assert.equal(ex.belowRank, 2);
    assert.deepEqual(ex.variables, [loaded.layers[2]!.weights[0]!]);
    for (let i = 0; i < 3; i++) {
      model.trainOnBatch(x, y);
      loaded.trainOnBatch(x, y);
    }
    assert.ok(bits(loaded.getWeights()).equals(bits(model.getWeights())));
  });
});
