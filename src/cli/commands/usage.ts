import type { Command } from 'commander';
import { ServeStore } from '../../serve/store/store.js';
import {
  USAGE_GROUPS,
  type UsageGroup,
  usageCsv,
  usageReport,
} from '../../serve/store/usage-report.js';
import { UsageError } from '../errors.js';

function instant(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback;
  const t = Date.parse(text);
  if (!Number.isFinite(t))
    throw new UsageError(
      `${flag}: not a date or time: '${text}' (e.g. 2026-12-01 or 2026-12-01T12:00Z)`,
    );
  return t;
}

/** `keel usage --db FILE --from --to --by customer,model --format csv|json`: usage for billing. */
export function registerUsage(program: Command): void {
  program
    .command('usage')
    .description(
      'Report metered usage of `keel serve` (requests, successes, items, tokens) for billing.',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ keel usage --db serve.db --from 2026-12-01 --by customer,model --format csv\n  $ keel usage --db serve.db --format json',
    )
    .requiredOption('--db <file>', 'the serving database')
    .option('--from <date>', 'start, inclusive (ISO date or time, UTC); default: the beginning')
    .option('--to <date>', 'end, exclusive; default: now')
    .option(
      '--by <groups>',
      `comma-separated: ${Object.keys(USAGE_GROUPS).join(', ')}`,
      'customer,model',
    )
    .option('--format <format>', 'csv or json', 'csv')
    .action((o: { db: string; from?: string; to?: string; by: string; format: string }) => {
      if (o.format !== 'csv' && o.format !== 'json')
        throw new UsageError(`--format must be csv or json, got '${o.format}'`);
      const by = o.by === '' ? [] : (o.by.split(',') as UsageGroup[]);
      const bad = by.find((g) => !(g in USAGE_GROUPS));
      if (bad)
        throw new UsageError(
          `--by: unknown group '${bad}'; use ${Object.keys(USAGE_GROUPS).join(', ')}`,
        );
      const from = instant(o.from, 0, '--from');
      const to = instant(o.to, Date.now() + 1, '--to');
      const store = ServeStore.open(o.db);
      try {
        const rows = usageReport(store.db, { from, to, by });
        process.stdout.write(
          o.format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : usageCsv(rows, by),
        );
      } finally {
        store.close();
      }
    });
}
