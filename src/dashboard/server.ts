/**
 * `keel dashboard`: a fastify server over a tracking store and the static page in web/ (uPlot
 * served from the installed package; nothing is fetched from the internet). Live updates are
 * server-sent events, sent every `intervalMs` (default 500 ms) with the metric rows written since
 * and whether the runs or the tuning studies changed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { type MetricScope, TrackingStore } from '../tracking/store.js';
import { StudyReader, studyDatabase, studyView } from './studies.js';

const require = createRequire(import.meta.url);
const WEB = join(dirname(fileURLToPath(import.meta.url)), 'web');
const UPLOT = dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));

export interface DashboardOptions {
  dir: string;
  host?: string;
  port?: number;
  intervalMs?: number;
  /** A tuning folder (its tuning.db) or study database whose studies the page shows. */
  tuning?: string;
}

/** At most `max` points of a series, evenly strided, always keeping the last. */
export function downsample<T>(rows: readonly T[], max: number): T[] {
  if (rows.length <= max) return [...rows];
  const stride = rows.length / max;
  const out: T[] = [];
  for (let i = 0; i < max - 1; i++) out.push(rows[Math.floor(i * stride)]!);
  out.push(rows[rows.length - 1]!);
  return out;
}

/** Builds the server (not listening); `app.close()` also closes the store. */
export function buildDashboard(options: DashboardOptions): FastifyInstance {
  if (!existsSync(join(WEB, 'index.html')))
    throw new Error(
      `keel dashboard: the page is missing (${WEB}); a build must copy src/dashboard/web/ beside the compiled server (npm run build runs scripts/copy-assets.mjs)`,
    );
  const store = TrackingStore.open(options.dir);
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const interval = options.intervalMs ?? 500;
  const file =
    (path: string, type: string) =>
    (_req: unknown, reply: { type: (t: string) => { send: (b: Buffer) => void } }) =>
      reply.type(type).send(readFileSync(path));
  app.get('/', file(join(WEB, 'index.html'), 'text/html; charset=utf-8'));
  for (const script of ['app.js', 'graph.js', 'studies.js']) {
    app.get(`/${script}`, file(join(WEB, script), 'text/javascript; charset=utf-8'));
  }
  app.get('/style.css', file(join(WEB, 'style.css'), 'text/css; charset=utf-8'));
  app.get('/uplot/uPlot.iife.min.js', file(join(UPLOT, 'uPlot.iife.min.js'), 'text/javascript'));
  app.get('/uplot/uPlot.min.css', file(join(UPLOT, 'uPlot.min.css'), 'text/css'));

  app.get('/api/runs', async (req) => {
    const q = req.query as { search?: string; tag?: string };
    return store.listRuns({ search: q.search || undefined, tags: q.tag ? [q.tag] : undefined });
  });
  app.get('/api/runs/:id', async (req, reply) => {
    try {
      const run = store.getRun((req.params as { id: string }).id);
      return { run, keys: store.metricKeys(run.id), artifacts: store.artifacts(run.id) };
    } catch (e) {
      return reply.code(404).send({ error: (e as Error).message });
    }
  });
  app.get('/api/runs/:id/metrics/:key', async (req) => {
    const { id, key } = req.params as { id: string; key: string };
    const q = req.query as { scope?: MetricScope; max?: string };
    const rows = downsample(store.metrics(id, key, q.scope), Math.max(10, Number(q.max ?? 2000)));
    return {
      step: rows.map((r) => r.step),
      wall: rows.map((r) => r.wall),
      value: rows.map((r) => r.value),
    };
  });
  app.get('/api/runs/:id/artifacts/:name', async (req, reply) => {
    const { id, name } = req.params as { id: string; name: string };
    const a = store.artifact(id, name);
    if (!a) return reply.code(404).send({ error: `run ${id} has no artifact '${name}'` });
    return a.kind === 'json' ? JSON.parse(a.content) : { text: a.content };
  });
  app.get('/api/runs/:id/download', async (req, reply) => {
    const { id } = req.params as { id: string };
    const { name } = req.query as { name?: string };
    try {
      const run = store.getRun(id);
      const a = name ? store.artifact(run.id, name) : undefined;
      if (!name || !a)
        return reply.code(404).send({ error: `run ${id} has no artifact '${name}'` });
      const file = store.artifactFile(run.id, name);
      const fileName = basename(name) + (file ? '' : a.kind === 'json' ? '.json' : '.txt');
      return reply
        .header('content-disposition', `attachment; filename="${fileName.replace(/"/g, '')}"`)
        .type(file ? 'application/octet-stream' : 'text/plain; charset=utf-8')
        .send(file ? readFileSync(file) : a.content);
    } catch (e) {
      return reply.code(404).send({ error: (e as Error).message });
    }
  });
  app.get('/api/runs/:id/histograms', async (req) =>
    store.histograms((req.params as { id: string }).id),
  );

  const studies = options.tuning ? new StudyReader(studyDatabase(options.tuning)) : null;
  app.get('/api/studies', async () => studies?.get()?.listStudies() ?? []);
  app.get('/api/studies/:name', async (req, reply) => {
    const s = studies?.get();
    if (!s) return reply.code(404).send({ error: 'no tuning studies (start with --tuning DIR)' });
    try {
      return studyView(s, (req.params as { name: string }).name);
    } catch (e) {
      return reply.code(404).send({ error: (e as Error).message });
    }
  });

  app.get('/api/events', (req, reply) => {
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    let last = store.lastMetricRowid();
    let statuses = '';
    let trials = '';
    const tick = () => {
      const rows = store.metricsSince(last, 20000);
      if (rows.length) last = rows[rows.length - 1]!.rowid;
      const runs = store
        .listRuns()
        .map((r) => `${r.id}:${r.status}`)
        .join(',');
      const changed = runs !== statuses;
      statuses = runs;
      const studyState = studies?.fingerprint() ?? '';
      const studiesChanged = studyState !== trials;
      trials = studyState;
      reply.raw.write(
        `data: ${JSON.stringify({ rows, runsChanged: changed, studiesChanged })}\n\n`,
      );
    };
    tick();
    const timer = setInterval(tick, interval);
    req.raw.on('close', () => clearInterval(timer));
  });
  app.addHook('onClose', async () => {
    store.close();
    studies?.close();
  });
  return app;
}

/** Starts the dashboard and resolves to its address (`http://127.0.0.1:PORT`). */
export async function startDashboard(
  options: DashboardOptions,
): Promise<{ url: string; close: () => Promise<void> }> {
  const app = buildDashboard(options);
  const url = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 6006 });
  return { url, close: () => app.close() };
}
