/**
 * Predicted data-parallel scaling efficiency from the ring-allreduce cost model (ARCHITECTURE.md,
 * "Cost model"): T(N) = 2(N−1)/N · B/β + 2(N−1)·α per step, efficiency = t / (t + (1 − h)·T(N))
 * with t the compute seconds per step of one worker and h the fraction of communication hidden
 * behind the backward pass. B is 4 bytes per parameter (float32 gradients); the char-GPT's
 * parameter count is counted from the model itself.
 *   npx tsx bench/distributed/scaling.ts --gpt-step 0.2 --big-step 1 --hidden 0.26 --alpha-us 20
 */
import { GPT } from '../../src/index.js';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const gptStep = opt('gpt-step', 0.2);
const bigStep = opt('big-step', 1);
const hidden = opt('hidden', 0.26);
const alpha = opt('alpha-us', 20) * 1e-6;

const gpt = new GPT({
  vocabularySize: 89,
  sequenceLength: 64,
  numLayers: 4,
  numHeads: 4,
  hiddenDim: 128,
  dropout: 0,
});
const gptParams = gpt.weights.reduce((a, w) => a + w.size, 0);
const models = [
  { name: 'char-GPT', params: gptParams, step: gptStep },
  { name: '100M-parameter model', params: 100e6, step: bigStep },
];
const rows: Record<string, string | number>[] = [];
for (const m of models) {
  const bytes = 4 * m.params;
  for (const gbps of [25, 100]) {
    const beta = (gbps * 1e9) / 8;
    const row: Record<string, string | number> = {
      model: `${m.name} (${(m.params / 1e6).toFixed(2)}M params, ${m.step} s/step)`,
      network: `${gbps} Gb/s`,
    };
    for (const n of [8, 64, 512]) {
      const t = ((2 * (n - 1)) / n) * (bytes / beta) + 2 * (n - 1) * alpha;
      const eff = m.step / (m.step + (1 - hidden) * t);
      row[`N=${n}`] = `${(100 * eff).toFixed(1)}% (allreduce ${(1000 * t).toFixed(1)} ms)`;
    }
    rows.push(row);
  }
}
console.log(JSON.stringify({ hidden, alphaUs: alpha * 1e6, gptParams }));
console.table(rows);
