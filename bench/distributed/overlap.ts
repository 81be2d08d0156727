/**
 * Communication per step and the fraction hidden behind the backward pass, for the seed CNN on
 * 2+ ranks: `npx keel launch --nproc 2 bench/distributed/overlap.ts [steps] [bucketBytes]`.
 */
import { datasets, distributed, layers, ops, Sequential } from '../../src/index.js';

const steps = Number(process.argv[2] ?? 40);
const bucketBytes = Number(process.argv[3] ?? 64 * 1024);
const strategy = distributed.init({ bucketBytes });
const { xTrain, yTrainOneHot } = datasets.mnist();
const model = new Sequential();
model.add(new layers.Conv2D(32, [3, 3], { activation: 'relu', inputShape: [28, 28, 1] }));
model.add(new layers.MaxPooling2D([2, 2]));
model.add(new layers.Flatten());
model.add(new layers.Dense(10, { activation: 'softmax' }));
model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', strategy });
const batch = 16; // per rank: a global batch of 32 on 2 ranks
const n = steps * batch * strategy.numReplicas;
const t0 = performance.now();
const x = ops.slice(xTrain, [0, 0, 0, 0], [n, 28, 28, 1]);
const y = ops.slice(yTrainOneHot, [0, 0], [n, 10]);
await model.fit(x, y, { batchSize: batch, verbose: 0, shuffle: false });
const seconds = (performance.now() - t0) / 1000;
const s = strategy.commStats();
if (strategy.isChief) {
  console.log(
    JSON.stringify({
      ranks: strategy.numReplicas,
      bucketBytes,
      steps: s.steps,
      stepMs: (seconds / s.steps) * 1000,
      commMsPerStep: (s.commSeconds / s.steps) * 1000,
      waitMsPerStep: (s.waitSeconds / s.steps) * 1000,
      hiddenFraction: s.hiddenFraction,
    }),
  );
}
