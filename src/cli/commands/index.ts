/**
 * Every `keel` subcommand, one file each. A command file exports one function that adds its
 * command to the program; add a new one here.
 */
import type { Command } from 'commander';
import { registerBench } from './bench.js';
import { registerConvert } from './convert.js';
import { registerDashboard } from './dashboard.js';
import { registerDistill } from './distill.js';
import { registerEvaluate } from './evaluate.js';
import { registerInspectData } from './inspect-data.js';
import { registerKeys } from './keys.js';
import { registerLaunch } from './launch.js';
import { registerPredict } from './predict.js';
import { registerPrune } from './prune.js';
import { registerQuantize } from './quantize.js';
import { registerRuns } from './runs.js';
import { registerServe } from './serve.js';
import { registerSummary } from './summary.js';
import { registerTrain } from './train.js';
import { registerTune } from './tune.js';
import { registerUsage } from './usage.js';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: readonly RegisterCommand[] = [
  registerSummary,
  registerTrain,
  registerEvaluate,
  registerPredict,
  registerConvert,
  registerInspectData,
  registerPrune,
  registerQuantize,
  registerDistill,
  registerRuns,
  registerDashboard,
  registerBench,
  registerTune,
  registerServe,
  registerKeys,
  registerUsage,
  registerLaunch,
];
