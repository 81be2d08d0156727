import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { runToCsv } from '../../tracking/export-csv.js';
import { type RunRecord, type RunStatus, TrackingStore } from '../../tracking/store.js';
import { eventFile, eventFileName } from '../../tracking/tfevents.js';
import { UsageError } from '../errors.js';

interface StoreOptions {
  dir?: string;
  json?: boolean;
}

function storeDir(options: StoreOptions): string {
  const dir = options.dir ?? process.env['KEEL_TRACKING_DIR'];
  if (!dir) throw new UsageError('give the tracking folder with --dir or KEEL_TRACKING_DIR');
  return dir;
}

function withStore<T>(options: StoreOptions, fn: (store: TrackingStore) => T): T {
  const store = TrackingStore.open(storeDir(options));
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

function printRuns(runs: readonly RunRecord[], json: boolean | undefined): void {
  if (json) {
    console.log(JSON.stringify(runs));
    return;
  }
  const rows = runs.map((r) => [
    r.id,
    r.name,
    r.status,
    new Date(r.startedAt * 1000).toISOString().slice(0, 19).replace('T', ' '),
    Object.entries(r.summary)
      .filter(([k]) => /accuracy|loss/.test(k))
      .map(([k, v]) => `${k}=${Number(v).toFixed(4)}`)
      .join(' '),
    r.tags.join(','),
  ]);
  const header = ['id', 'name', 'status', 'started', 'metrics', 'tags'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, ...rows])
    console.log(
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    );
}

const STATUSES = ['running', 'finished', 'failed', 'interrupted'];

/** `keel runs list|search|tag|untag|delete|artifacts|artifact|export`: the runs of a tracking folder. */
export function registerRuns(program: Command): void {
  const runs = program
    .command('runs')
    .description(
      'List, search, tag, delete and export the runs of a tracking folder, and get their artifacts.',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ keel runs list --dir runs
  $ keel runs search adam --tag baseline --status finished --dir runs --json
  $ keel runs tag 1a2b baseline best --dir runs
  $ keel runs export 1a2b -o run.csv --dir runs
  $ keel runs export 1a2b --format tensorboard -o tb-logs --dir runs
  $ keel runs artifacts 1a2b --dir runs
  $ keel runs artifact 1a2b model/mnist-cnn.keel -o best.keel --dir runs
  $ keel runs delete 1a2b --dir runs`,
    );
  const common = (c: Command) =>
    c
      .option('--dir <dir>', 'the tracking folder (default $KEEL_TRACKING_DIR)')
      .option('--json', 'print JSON');
  const query = (c: Command) =>
    common(c)
      .option('--tag <tag...>', 'only runs with these tags')
      .option('--status <status>', `only runs with this status: ${STATUSES.join(', ')}`);
  const list = (
    search: string | undefined,
    o: StoreOptions & { tag?: string[]; status?: string },
  ) => {
    if (o.status && !STATUSES.includes(o.status)) {
      throw new UsageError(`--status must be one of ${STATUSES.join(', ')}, got '${o.status}'`);
    }
    withStore(o, (s) =>
      printRuns(
        s.listRuns({ search, tags: o.tag, status: o.status as RunStatus | undefined }),
        o.json,
      ),
    );
  };
  query(runs.command('list').description('List runs, newest first.')).action((o) =>
    list(undefined, o),
  );
  query(runs.command('search').description('Runs whose id, name, parameters or tags contain TEXT.'))
    .argument('<text>')
    .action((text: string, o) => list(text, o));
  common(runs.command('tag').description('Add tags to a run.'))
    .argument('<run>', 'run id (or a unique prefix)')
    .argument('<tags...>')
    .action((id: string, tags: string[], o: StoreOptions) =>
      withStore(o, (s) => s.addTags(s.getRun(id).id, tags)),
    );
  common(runs.command('untag').description('Remove tags from a run.'))
    .argument('<run>')
    .argument('<tags...>')
    .action((id: string, tags: string[], o: StoreOptions) =>
      withStore(o, (s) => s.removeTags(s.getRun(id).id, tags)),
    );
  common(runs.command('delete').description('Delete a run with all its data.'))
    .argument('<run>')
    .action((id: string, o: StoreOptions) =>
      withStore(o, (s) => {
        const run = s.getRun(id);
        s.deleteRun(run.id);
        if (!o.json) console.log(`Deleted ${run.id} (${run.name})`);
      }),
    );
  common(runs.command('artifacts').description("List a run's artifacts (name, kind, bytes)."))
    .argument('<run>')
    .action((id: string, o: StoreOptions) =>
      withStore(o, (s) => {
        const list = s.artifacts(s.getRun(id).id);
        if (o.json) console.log(JSON.stringify(list));
        else for (const a of list) console.log(`${a.name}\t${a.kind}\t${a.bytes}`);
      }),
    );
  common(
    runs
      .command('artifact')
      .description("Write one of a run's artifacts (a checkpoint, the model, the summary)."),
  )
    .argument('<run>')
    .argument('<name>', 'the artifact name, as `keel runs artifacts` lists it')
    .option('-o, --output <file>', 'the file to write (default standard output)')
    .action((id: string, name: string, o: StoreOptions & { output?: string }) =>
      withStore(o, (s) => {
        const run = s.getRun(id);
        const a = s.artifact(run.id, name);
        if (!a) {
          const names = s.artifacts(run.id).map((x) => x.name);
          throw new UsageError(
            `run ${run.id} has no artifact '${name}' (it has: ${names.join(', ') || 'none'})`,
          );
        }
        const file = s.artifactFile(run.id, name);
        const bytes = file ? readFileSync(file) : Buffer.from(a.content);
        if (o.output) writeFileAtomic(o.output, bytes);
        else process.stdout.write(bytes);
      }),
    );
  common(runs.command('export').description("Export a run's metrics as CSV or TensorBoard events."))
    .argument('<run>')
    .option('--format <format>', 'csv or tensorboard', 'csv')
    .option(
      '-o, --output <path>',
      'the CSV file (default standard output) or the TensorBoard log folder',
    )
    .action((id: string, o: StoreOptions & { output?: string; format: string }) =>
      withStore(o, (s) => {
        const run = s.getRun(id);
        if (o.format === 'tensorboard') {
          if (!o.output) throw new UsageError('--format tensorboard needs -o, the log folder');
          const folder = join(o.output, run.name || run.id);
          mkdirSync(folder, { recursive: true });
          const path = join(folder, eventFileName(run.startedAt, run.host));
          writeFileAtomic(path, eventFile(s.allMetrics(run.id), run.startedAt));
          if (!o.json) console.log(`Wrote ${path} (tensorboard --logdir ${o.output})`);
          return;
        }
        if (o.format !== 'csv')
          throw new UsageError(`--format must be csv or tensorboard, got '${o.format}'`);
        const csv = runToCsv(s, run.id);
        if (o.output) writeFileAtomic(o.output, Buffer.from(csv));
        else process.stdout.write(csv);
      }),
    );
}
