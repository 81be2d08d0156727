/**
 * Every `keel` subcommand, one file each. A command file exports one function that adds its
 * command to the program; add a new one here.
 */
import type { Command } from 'commander';
import { registerLaunch } from './launch.js';
import { registerSummary } from './summary.js';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: readonly RegisterCommand[] = [registerSummary, registerLaunch];
