/**
 * Seconds per training epoch of the seed CNN (examples/mnist-cnn.ts: global batch 32, Adam) on
 * one process or on every rank of an MPI job, after one untimed warm-up epoch, with the gradient
 * communication per step and the fraction hidden behind the backward pass. speedup.sh runs it
 * beside PyTorch DDP (torch_ddp_cnn.py).
 *   KEEL_NUM_THREADS=1 npx tsx bench/distributed/cnn-epoch.ts [--epochs 2]
 *   npx keel launch --nproc 2 bench/distributed/cnn-epoch.ts [--bucket-bytes 1048576]
 */
import { datasets, distributed, setSeed } from '../../src/index.js';
import { buildKeelCnn } from '../suites/common/keel-cnn.js';

const argv = process.argv.slice(2);
const i = argv.indexOf('--epochs');
const epochs = i >= 0 ? Number(argv[i + 1]) : 2;
const b = argv.indexOf('--bucket-bytes');
const bucketBytes = b >= 0 ? Number(argv[b + 1]) : undefined;
setSeed(1);
const strategy = distributed.isLaunched() ? distributed.init({ bucketBytes }) : undefined;
const replicas = strategy?.numReplicas ?? 1;
const { xTrain, yTrainOneHot } = datasets.mnist();
const model = buildKeelCnn();
model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', strategy });
const times: number[] = [];
for (let e = 0; e < epochs; e++) {
  if (e === 1) strategy?.resetCommStats();
  const t0 = performance.now();
  await model.fit(xTrain, yTrainOneHot, { batchSize: 32 / replicas, epochs: 1, verbose: 0 });
  times.push((performance.now() - t0) / 1000);
}
const timed = times.length > 1 ? times.slice(1) : times;
const epochSeconds = [...timed].sort((a, b) => a - b)[Math.floor(timed.length / 2)]!;
if (strategy?.isChief ?? true) {
  const s = strategy?.commStats();
  console.log(
    JSON.stringify({
      impl: 'keel',
      ranks: replicas,
      samples: xTrain.shape[0],
      epochSeconds,
      ...(s && {
        bucketBytes: bucketBytes ?? 'auto',
        commMsPerStep: (s.commSeconds / s.steps) * 1000,
        waitMsPerStep: (s.waitSeconds / s.steps) * 1000,
        hiddenFraction: s.hiddenFraction,
      }),
    }),
  );
}
