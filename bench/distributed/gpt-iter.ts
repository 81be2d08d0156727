/**
 * Seconds per training iteration of the char-GPT (examples/char-gpt.ts: 4 layers, 4 heads,
 * embedding 128, context 64, global batch 12, AdamW with weight decay on matrices, global-norm
 * clip 1.0) on one process or on every rank of an MPI job (12 / ranks windows each), with the
 * gradient communication per step and the fraction hidden behind the backward pass. Speed only:
 * the windows are random tokens of the example's 89-character vocabulary. One untimed warm-up
 * epoch of --iters iterations, then a timed one. speedup.sh runs it beside torch_ddp_gpt.py.
 *   KEEL_NUM_THREADS=1 npx tsx bench/distributed/gpt-iter.ts [--iters 30]
 *   npx keel launch --nproc 2 bench/distributed/gpt-iter.ts
 */
import { distributed, Rng, setSeed, tensor } from '../../src/index.js';
import { buildKeelCharGpt } from '../suites/common/keel-gpt.js';

const argv = process.argv.slice(2);
const i = argv.indexOf('--iters');
const iters = i >= 0 ? Number(argv[i + 1]) : 30;
const VOCAB = 89;
const CONTEXT = 64;
const BATCH = 12;
setSeed(1337);
const strategy = distributed.isLaunched() ? distributed.init() : undefined;
const replicas = strategy?.numReplicas ?? 1;
if (BATCH % replicas !== 0) throw new Error(`gpt-iter: ${replicas} ranks do not divide batch 12`);
const rng = new Rng(2);
const tokens = (n: number) =>
  tensor(
    Int32Array.from({ length: n * CONTEXT }, () => rng.int(VOCAB)),
    [n, CONTEXT],
    'int32',
  );
const x = tokens(iters * BATCH);
const y = tokens(iters * BATCH);
const gpt = buildKeelCharGpt(VOCAB, strategy);
const times: number[] = [];
for (let e = 0; e < 2; e++) {
  if (e === 1) strategy?.resetCommStats();
  const t0 = performance.now();
  await gpt.fit(x, y, { batchSize: BATCH / replicas, epochs: 1, verbose: 0, shuffle: false });
  times.push((performance.now() - t0) / 1000);
}
if (strategy?.isChief ?? true) {
  const s = strategy?.commStats();
  console.log(
    JSON.stringify({
      impl: 'keel',
      model: 'char-gpt',
      ranks: replicas,
      iters,
      iterSeconds: times[1]! / iters,
      ...(s && {
        commMsPerStep: (s.commSeconds / s.steps) * 1000,
        waitMsPerStep: (s.waitSeconds / s.steps) * 1000,
        hiddenFraction: s.hiddenFraction,
      }),
    }),
  );
}
