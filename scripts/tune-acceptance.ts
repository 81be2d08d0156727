/**
 * Issue 17's acceptance: the seed CNN's space (examples/configs/tune-mnist.json) under one budget
 * of epochs for several algorithms and tuner seeds; each run appends one JSON line (best
 * validation accuracy, its test accuracy, epochs trained) to the results file, and `--report`
 * prints mean ± spread per algorithm.
 * `nice -n 5 npx tsx scripts/tune-acceptance.ts --seeds 1,2,3 --algorithms random,hyperband,bayesian --out runs.jsonl`
 * `npx tsx scripts/tune-acceptance.ts --report runs.jsonl`
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTuneConfig, runTuneConfig } from '../src/tune/config.js';

/** Each algorithm's settings under the config's 60-epoch budget. */
const SETTINGS: Record<string, Record<string, unknown>> = {
  random: { algorithm: 'random', epochs: 4 },
  bayesian: { algorithm: 'bayesian', epochs: 4, algorithmOptions: { numInitialPoints: 5 } },
  hyperband: { algorithm: 'hyperband', algorithmOptions: { maxEpochs: 9, factor: 3 } },
  asha: { algorithm: 'asha', algorithmOptions: { maxEpochs: 9, minEpochs: 1, factor: 3 } },
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

function report(file: string): void {
  const rows = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const by = new Map<string, typeof rows>();
  for (const r of rows) by.set(r.algorithm, [...(by.get(r.algorithm) ?? []), r]);
  const stats = (v: number[]) => {
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    return `${mean.toFixed(4)} ± ${((Math.max(...v) - Math.min(...v)) / 2).toFixed(4)}`;
  };
  console.log(
    'algorithm  seeds  best val_accuracy (mean ± half-range)  test accuracy of winners   trials  epochs',
  );
  for (const [alg, rs] of by) {
    console.log(
      `${alg.padEnd(10)} ${rs
        .map((r) => r.seed)
        .join(',')
        .padEnd(6)} ${stats(rs.map((r) => r.bestValue)).padEnd(38)} ${rs
        .map((r) => r.testAccuracy.toFixed(4))
        .join(' ')
        .padEnd(
          26,
        )} ${rs.map((r) => r.trials).join(',')}  ${rs.map((r) => r.epochsTrained).join(',')}`,
    );
  }
}

const reportFile = arg('--report');
if (reportFile) report(reportFile);
else {
  const seeds = (arg('--seeds') ?? '1').split(',').map(Number);
  const algorithms = (arg('--algorithms') ?? 'random,hyperband,bayesian').split(',');
  const out = arg('--out') ?? 'tune-acceptance.jsonl';
  const directory = arg('--directory') ?? join('keel-tuning', 'acceptance');
  for (const seed of seeds) {
    for (const algorithm of algorithms) {
      const config = {
        ...loadTuneConfig(join('examples', 'configs', 'tune-mnist.json')),
        ...SETTINGS[algorithm],
        seed,
      };
      config.directory = directory;
      config.overwrite = true;
      config.projectName = `${algorithm}-seed${seed}`;
      const started = Date.now();
      const r = await runTuneConfig(config, () => {});
      const line = {
        algorithm,
        seed,
        bestValue: r.bestValue,
        testAccuracy: r.test?.['accuracy'],
        bestParams: r.bestParams,
        trials: r.trials.length,
        epochsTrained: r.epochsTrained,
        seconds: (Date.now() - started) / 1000,
      };
      console.log(JSON.stringify(line));
      appendFileSync(out, `${JSON.stringify(line)}\n`);
    }
  }
}
