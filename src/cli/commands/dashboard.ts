import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { intOption } from '../options.js';
import { importServing } from '../serving-packages.js';

/** `keel dashboard --dir runs`: serves the tracking dashboard until Ctrl-C. */
export function registerDashboard(program: Command): void {
  program
    .command('dashboard')
    .description(
      'Serve the web dashboard of a tracking folder: live curves, run comparison, details.',
    )
    .option('--dir <dir>', 'the tracking folder (default $KEEL_TRACKING_DIR)')
    .option('--port <n>', 'the port (0 picks a free one)', intOption('--port'), 6006)
    .option('--host <host>', 'the address to listen on', '127.0.0.1')
    .option(
      '--tuning <dir>',
      "show the studies of this tuning folder (keel tune's --directory, default ./keel-tuning when present)",
    )
    .addHelpText(
      'after',
      `
Examples:
  $ keel dashboard --dir runs
  $ KEEL_TRACKING_DIR=runs keel dashboard --port 8080
  $ keel dashboard --dir runs --tuning keel-tuning`,
    )
    .action(async (options: { dir?: string; port: number; host: string; tuning?: string }) => {
      const dir = options.dir ?? process.env['KEEL_TRACKING_DIR'];
      if (!dir) throw new UsageError('give the tracking folder with --dir or KEEL_TRACKING_DIR');
      const tuning =
        options.tuning ?? (existsSync('keel-tuning') ? resolve('keel-tuning') : undefined);
      const { startDashboard } = await importServing(
        'dashboard',
        () => import('../../dashboard/server.js'),
      );
      const { url, close } = await startDashboard({
        dir,
        port: options.port,
        host: options.host,
        tuning,
      });
      console.log(`Keel dashboard on ${url} (Ctrl-C to stop)`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await close();
    });
}
