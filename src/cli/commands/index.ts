/**
 * Every `keel` subcommand, one file each. A command file exports one function that adds its
 * command to the program; add a new one here.
 */
import type { Command } from 'commander';
import { registerKeys } from './keys.js';
import { registerServe } from './serve.js';
import { registerSummary } from './summary.js';
import { registerUsage } from './usage.js';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: readonly RegisterCommand[] = [
  registerSummary,
  registerServe,
  registerKeys,
  registerUsage,
];
