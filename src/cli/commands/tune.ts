import type { Command } from 'commander';
import { loadTuneConfig, runTuneConfig } from '../../tune/config.js';
import { SearchInterrupted } from '../../tune/tuner.js';
import { TUNERS } from '../../tune/tuners.js';
import { UsageError } from '../errors.js';
import { Interrupted, onInterrupt, resumeCommand } from '../interrupt.js';
import { searchProgress } from '../task-progress.js';

interface TuneOptions {
  maxTrials?: string;
  maxTotalEpochs?: string;
  workers?: string;
  executionsPerTrial?: string;
  seed?: string;
  algorithm?: string;
  directory?: string;
  projectName?: string;
  overwrite?: boolean;
  json?: boolean;
}

function positiveInt(flag: string, v: string | undefined, least = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < least)
    throw new UsageError(`${flag} needs an integer >= ${least}, got '${v}'`);
  return n;
}

/**
 * `keel tune CONFIG [--max-trials N]`: runs the hyperparameter search a JSON config describes
 * and ends with `Best <objective>: <x>` and the winning hyperparameters as JSON.
 */
export function registerTune(program: Command): void {
  program
    .command('tune')
    .description(
      'Search hyperparameters as a JSON config describes (build module, data, algorithm, budget).',
    )
    .argument('<config>', 'a tune config JSON file (see examples/configs/tune-mnist.json)')
    .option('--max-trials <n>', 'stop after this many trials')
    .option('--max-total-epochs <n>', 'the budget: epochs trained over all trials')
    .option('--workers <n>', 'trials trained at once on worker processes (maxConcurrentTrials)')
    .option(
      '--executions-per-trial <n>',
      'train each configuration n times from different seeds and score the mean',
    )
    .option('--seed <n>', 'the tuner seed')
    .option('--algorithm <name>', 'random, hyperband, asha, bayesian or tpe')
    .option(
      '--directory <dir>',
      'where the study database and checkpoints live (default ./keel-tuning)',
    )
    .option('--project-name <name>', 'the study name (resumes a study of that name)')
    .option('--overwrite', 'start the study afresh instead of resuming it')
    .option('--json', 'print the result as one JSON line (the trial lines go to stderr)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ keel tune examples/configs/tune-mnist.json --max-trials 5\n  $ keel tune tune.json --workers 2 --seed 3\n  $ keel tune tune.json --max-trials 10 --json\n\nCtrl-C stops the search (exit code 130); the same command resumes the study, running the\ninterrupted trials again under their numbers.',
    )
    .action(async (file: string, o: TuneOptions) => {
      let config: ReturnType<typeof loadTuneConfig>;
      try {
        config = loadTuneConfig(file);
      } catch (e) {
        throw new UsageError(e instanceof Error ? e.message : String(e));
      }
      const overrides = {
        maxTrials: positiveInt('--max-trials', o.maxTrials),
        maxTotalEpochs: positiveInt('--max-total-epochs', o.maxTotalEpochs),
        maxConcurrentTrials: positiveInt('--workers', o.workers),
        executionsPerTrial: positiveInt('--executions-per-trial', o.executionsPerTrial),
        seed: positiveInt('--seed', o.seed, 0),
        algorithm: o.algorithm as never,
        directory: o.directory,
        projectName: o.projectName,
        overwrite: o.overwrite,
      };
      for (const [k, v] of Object.entries(overrides))
        if (v !== undefined) (config as unknown as Record<string, unknown>)[k] = v;
      if (o.algorithm && !Object.hasOwn(TUNERS, o.algorithm))
        throw new UsageError(
          `--algorithm must be one of ${Object.keys(TUNERS).join(', ')}, got '${o.algorithm}'`,
        );
      // Ctrl-C: running trials stop after their batch and run again when the same command resumes.
      const controller = new AbortController();
      const detach = onInterrupt(() => {
        process.stderr.write(
          '\nkeel: interrupted; stopping the running trials after this batch (Ctrl-C again to quit now)\n',
        );
        controller.abort();
      });
      let result: Awaited<ReturnType<typeof runTuneConfig>>;
      // --json keeps stdout for the result: the trial lines go to stderr and no bar is drawn.
      const progress = o.json ? null : searchProgress();
      try {
        result = await runTuneConfig(
          config,
          progress ? progress.log : (line) => console.error(line),
          controller.signal,
          progress?.onProgress,
        );
      } catch (e) {
        if (e instanceof SearchInterrupted)
          throw new Interrupted(`${e.message}; resume with: ${resumeCommand()}`);
        throw e;
      } finally {
        progress?.finish();
        detach();
      }
      const counts: Record<string, number> = {};
      for (const t of result.trials) counts[t.state] = (counts[t.state] ?? 0) + 1;
      if (o.json) {
        console.log(
          JSON.stringify({
            objective: result.objective,
            best: result.bestValue,
            bestParams: result.bestParams,
            bestTrial: result.best?.number ?? null,
            trials: counts,
            epochsTrained: result.epochsTrained,
            test: result.test,
            paretoFront: result.paretoFront.map((t) => ({
              number: t.number,
              values: t.values,
              params: t.params,
            })),
          }),
        );
        if (!result.best)
          throw new Error('tune: no trial completed, so there is no best configuration');
        return;
      }
      console.log(`Trials: ${JSON.stringify(counts)}; epochs trained: ${result.epochsTrained}`);
      if (result.paretoFront.length) {
        const names = result.objectives.map((o) => `${o.name} ${o.direction}`).join(', ');
        console.log(`Pareto front (${names}): ${result.paretoFront.length} trials`);
        for (const t of result.paretoFront) {
          const values = result.objectives.map((o, i) => `${o.name}=${t.values![i]}`).join(' ');
          console.log(`  trial ${t.number}: ${values} ${JSON.stringify(t.params)}`);
        }
      }
      if (result.test) console.log(`Best model on the test data: ${JSON.stringify(result.test)}`);
      if (!result.best)
        throw new Error('tune: no trial completed, so there is no best configuration');
      console.log(`Best ${result.objective}: ${result.bestValue}`);
      console.log(JSON.stringify(result.bestParams));
    });
}
