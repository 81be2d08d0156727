/**
 * Allreduce bandwidth of Keel's collectives on a float32 buffer (best and median of reps), beside
 * allreduce.c (compare-allreduce.sh alternates the two).
 *   npx keel launch --nproc 2 bench/distributed/allreduce.ts 100 5
 */
import { distributed } from '../../src/index.js';

const mb = Number(process.argv[2] ?? 100);
const reps = Number(process.argv[3] ?? 5);
const comm = distributed.init().comm;
const buf = new Float32Array((mb * 1e6) / 4).fill(1);
comm.allreduce(buf, 'sum');
const times: number[] = [];
for (let r = 0; r < reps; r++) {
  comm.barrier();
  const t0 = performance.now();
  comm.allreduce(buf, 'sum');
  times.push((performance.now() - t0) / 1000);
}
times.sort((a, b) => a - b);
const best = times[0]!;
const median = times[Math.floor(times.length / 2)]!;
if (comm.rank === 0) {
  console.log(
    JSON.stringify({
      impl: 'Keel allreduce',
      mb,
      seconds: best,
      GBps: mb / 1000 / best,
      medianSeconds: median,
      medianGBps: mb / 1000 / median,
    }),
  );
}
