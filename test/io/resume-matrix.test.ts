import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BackupAndRestore } from '../../src/io/checkpoint/backup-and-restore.js';
import { Sequential } from '../../src/models/sequential.js';
import { Callback } from '../../src/nn/callbacks/callback.js';
import { EarlyStopping } from '../../src/nn/callbacks/early-stopping.js';
import { ReduceLROnPlateau } from '../../src/nn/callbacks/reduce-lr-on-plateau.js';
import * as L from '../../src/nn/layers/index.js';
import { Adam } from '../../src/nn/optimizers/adam.js';
import { AdamW } from '../../src/nn/optimizers/adamw.js';
import type { Optimizer, OptimizerArgs } from '../../src/nn/optimizers/optimizer.js';
import { RMSprop } from '../../src/nn/optimizers/rmsprop.js';
import { SGD } from '../../src/nn/optimizers/sgd.js';
import {
  CosineDecay,
  ExponentialDecay,
  type LearningRateSchedule,
  PiecewiseConstantDecay,
} from '../../src/nn/schedules/index.js';
import { Rng, setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-resume-matrix-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const OPTIMIZERS: Record<string, (a: OptimizerArgs) => Optimizer> = {
  'SGD momentum nesterov': (a) => new SGD({ ...a, momentum: 0.9, nesterov: true }),
  'SGD momentum': (a) => new SGD({ ...a, momentum: 0.5 }),
  'RMSprop centered momentum': (a) => new RMSprop({ ...a, centered: true, momentum: 0.5 }),
  Adam: (a) => new Adam({ ...a, clipnorm: 1 }),
  AdamW: (a) => new AdamW({ ...a, weightDecay: 0.05, globalClipnorm: 1 }),
};

const RATES: Record<string, () => number | LearningRateSchedule> = {
  constant: () => 0.02,
  exponential: () =>
    new ExponentialDecay({ initialLearningRate: 0.05, decaySteps: 2, decayRate: 0.7 }),
  'warm-up cosine': () =>
    new CosineDecay({
      initialLearningRate: 0,
      warmupTarget: 0.05,
      warmupSteps: 3,
      decaySteps: 8,
      alpha: 0.1,
    }),
  piecewise: () => new PiecewiseConstantDecay([3, 6], [0.05, 0.02, 0.01]),
};

const ACCUMULATION = [1, 3];
const EPOCHS = 4;

/** Thrown by Interrupt: a crash at a chosen batch, after the backup of the batch before. */
class Crash extends Error {}

class Interrupt extends Callback {
  seen = 0;
  constructor(private readonly at: number) {
    super();
  }
  override onTrainBatchBegin(): void {
    if (this.seen++ === this.at) throw new Crash(`interrupted before global batch ${this.at}`);
  }
}

interface Outcome {
  weights: Tensor[];
  learningRate: number;
  iterations: number;
  stoppedEpoch: number;
  history: Record<string, number[]>;
  /** Batches run by this process. */
  batches: number;
}

/**
 * One fit of a tiny model with dropout (a seeded layer generator and the global one) under
 * EarlyStopping and ReduceLROnPlateau, backed up every batch; `crashAt` interrupts it before that
 * global batch. The model's initial weights come from `initSeed`: a resumed run starts from
 * different weights, so only the backup can make it match.
 */
async function train(
  opt: string,
  rate: string,
  accumulation: number,
  backupDir: string,
  initSeed: number,
  crashAt: number | null,
): Promise<Outcome> {
  setSeed(initSeed);
  const model = new Sequential([
    new L.Dense(6, { activation: 'relu', inputShape: [4] }),
    new L.Dropout(0.3, { seed: 7 }),
    new L.Dense(5, { activation: 'tanh' }),
    new L.Dropout(0.2),
    new L.Dense(2),
  ]);
  const optimizer = OPTIMIZERS[opt]!({
    learningRate: RATES[rate]!(),
    ...(accumulation > 1 ? { gradientAccumulationSteps: accumulation } : {}),
  });
  model.compile({ optimizer, loss: 'mse' });
  const x = randomUniform([10, 4], -1, 1, { rng: new Rng(98) });
  const y = randomUniform([10, 2], -1, 1, { rng: new Rng(99) });
  setSeed(1234); // the same global stream for dropout and shuffling in every run
  const early = new EarlyStopping({
    monitor: 'loss',
    patience: 1,
    minDelta: 0.02,
    restoreBestWeights: true,
  });
  const plateau = new ReduceLROnPlateau({
    monitor: 'loss',
    patience: 1,
    factor: 0.5,
    minDelta: 0.05,
  });
  const interrupt = new Interrupt(crashAt ?? -1);
  const history = await model.fit(x, y, {
    epochs: EPOCHS,
    batchSize: 4,
    verbose: 0,
    callbacks: [new BackupAndRestore(backupDir, { saveFreq: 1 }), early, plateau, interrupt],
  });
  return {
    weights: model.getWeights(),
    learningRate: optimizer.learningRate,
    iterations: optimizer.iterations,
    stoppedEpoch: early.stoppedEpoch,
    history: history.history,
    batches: interrupt.seen,
  };
}

const bits = (ts: readonly Tensor[]) =>
  Buffer.concat(ts.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)));

describe('resume matrix: optimizer x rate x accumulation, dropout, EarlyStopping, ReduceLROnPlateau', () => {
  it('a run interrupted at a batch and resumed from its backup ends bit-identical', async () => {
    let cases = 0;
    let stopped = 0;
    let reduced = 0;
    let midCycle = 0;
    for (const opt of Object.keys(OPTIMIZERS)) {
      for (const rate of Object.keys(RATES)) {
        for (const accumulation of ACCUMULATION) {
          const name = `${opt} / ${rate} / accumulation ${accumulation}`;
          const base = join(dir, `case-${cases}`);
          const expected = await train(opt, rate, accumulation, join(base, 'a'), 5, null);
          // Crash before a batch that varies with the case: mid-epoch and at epoch starts, and
          // (accumulating over 3) in the middle of a cycle.
          const crashAt = 1 + ((cases * 5) % (expected.batches - 1));
          if (accumulation > 1 && crashAt % accumulation !== 0) midCycle++;
          const backupDir = join(base, 'b');
          await assert.rejects(train(opt, rate, accumulation, backupDir, 5, crashAt), Crash);
          const resumed = await train(opt, rate, accumulation, backupDir, 77, null);
          assert.ok(
            bits(resumed.weights).equals(bits(expected.weights)),
            `${name}: weights (crash at ${crashAt})`,
          );
          assert.equal(resumed.learningRate, expected.learningRate, `${name}: learning rate`);
          assert.equal(resumed.iterations, expected.iterations, `${name}: iterations`);
          assert.equal(resumed.stoppedEpoch, expected.stoppedEpoch, `${name}: stopped epoch`);
          assert.deepEqual(resumed.history, expected.history, `${name}: history`);
          if (expected.stoppedEpoch > 0) stopped++;
          if ((expected.history['learning_rate'] ?? []).some((r, i, a) => i > 0 && r < a[i - 1]!))
            reduced++;
          cases++;
        }
      }
    }
    console.log(
      `resume matrix: ${cases} cases (${Object.keys(OPTIMIZERS).length} optimizers x ${Object.keys(RATES).length} rates x ${ACCUMULATION.length} accumulation settings), ${midCycle} saved mid-cycle, EarlyStopping stopped ${stopped}, ReduceLROnPlateau reduced in ${reduced}`,
    );
    assert.ok(midCycle > 0 && stopped > 0 && reduced > 0, 'the matrix exercises what it claims');
  });
});
