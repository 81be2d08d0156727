import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseVersionPolicy, type VersionPolicy } from '../../serve/repository/version-policy.js';
import { UsageError } from '../errors.js';
import { numberOption } from '../options.js';
import { importServing } from '../serving-packages.js';

const int = (name: string, min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min)
    throw new UsageError(`${name} must be an integer >= ${min}, got '${value}'`);
  return n;
};

/** The admin token: --admin-token-file, else KEEL_ADMIN_TOKEN, else a new one in DB.admin-token (0600). */
function adminToken(file: string | undefined, db: string): { token: string; where: string } {
  if (file) {
    if (!existsSync(file)) throw new UsageError(`--admin-token-file: no such file: ${file}`);
    const token = readFileSync(file, 'utf8').trim();
    if (token.length < 16)
      throw new UsageError(`--admin-token-file: ${file} holds fewer than 16 characters`);
    return { token, where: file };
  }
  const env = process.env['KEEL_ADMIN_TOKEN'];
  if (env) return { token: env, where: 'KEEL_ADMIN_TOKEN' };
  const path = `${db}.admin-token`;
  if (existsSync(path)) return { token: readFileSync(path, 'utf8').trim(), where: path };
  const token = randomBytes(32).toString('base64url');
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return { token, where: path };
}

/** `keel serve --model-dir DIR --db FILE`: the model server (TF Serving, KServe v2, OpenAI completions). */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'Serve every model of a folder (DIR/<name>/<version>/) over HTTP, with API keys, quotas and usage metering.',
    )
    .requiredOption(
      '--model-dir <dir>',
      'the models: DIR/<name>/<version>/ holding a .keel, .onnx or model.json',
    )
    .requiredOption('--db <file>', 'SQLite file of keys, quotas and usage (created if missing)')
    .option('--port <n>', 'serving port', int('--port', 0), 8501)
    .option('--host <address>', 'serving address (0.0.0.0 to accept other machines)', '127.0.0.1')
    .option('--admin-port <n>', 'admin API port', int('--admin-port', 0), 8502)
    .option('--admin-host <address>', 'admin API address', '127.0.0.1')
    .option('--no-admin', 'no admin API')
    .option(
      '--admin-token-file <file>',
      'file holding the admin token (default: KEEL_ADMIN_TOKEN, else DB.admin-token, created)',
    )
    .option('--no-auth', 'accept requests without an API key (prints a warning)')
    .option('--workers <n>', 'inference worker threads', int('--workers', 1))
    .option('--max-batch-size <n>', 'most rows per batch', int('--max-batch-size', 1), 64)
    .option(
      '--max-queue-delay-us <n>',
      'longest wait for a batch to fill while another runs, µs',
      int('--max-queue-delay-us', 0),
      1000,
    )
    .option(
      '--inline-below-ms <ms>',
      'a request alone on the server runs on the event loop if it should take under this (0: never)',
      numberOption('--inline-below-ms', 0, 60_000),
      1,
    )
    .option(
      '--max-queue-size <n>',
      'rows waiting per model before 503',
      int('--max-queue-size', 1),
      4096,
    )
    .option(
      '--request-timeout-ms <n>',
      'per-request timeout',
      int('--request-timeout-ms', 1),
      30000,
    )
    .option(
      '--max-body-bytes <n>',
      'largest request body (413 beyond)',
      int('--max-body-bytes', 1),
      8 * 2 ** 20,
    )
    .option('--version-policy <policy>', 'latest, latest:N, all or specific:V1,V2', 'latest')
    .option(
      '--poll-ms <n>',
      'how often to look for new versions (0: never)',
      int('--poll-ms', 0),
      1000,
    )
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--log-level <level>', 'JSON log level (fatal, error, warn, info, debug)', 'info')
    .addHelpText(
      'after',
      '\nExamples:\n  $ keel keys create --db serve.db --customer acme\n  $ keel serve --model-dir models --db serve.db\n  $ curl -H "Authorization: Bearer $KEY" -d \'{"instances": [[1, 2, 3, 4]]}\' localhost:8501/v1/models/mlp:predict',
    )
    .action(async (o: Record<string, unknown>) => {
      if (!existsSync(o['modelDir'] as string))
        throw new UsageError(`--model-dir: no such folder: ${o['modelDir']}`);
      if (Boolean(o['tlsCert']) !== Boolean(o['tlsKey']))
        throw new UsageError('--tls-cert and --tls-key go together');
      let versionPolicy: VersionPolicy;
      try {
        versionPolicy = parseVersionPolicy(o['versionPolicy'] as string);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const withAdmin = o['admin'] !== false;
      const admin = withAdmin
        ? adminToken(o['adminTokenFile'] as string | undefined, o['db'] as string)
        : null;
      if (o['auth'] === false)
        console.error(
          'keel serve: WARNING: --no-auth: anyone who can reach the port can use every model, unmetered by customer',
        );
      const { startServer } = await importServing('serve', () => import('../../serve/server.js'));
      const server = await startServer({
        modelDir: o['modelDir'] as string,
        db: o['db'] as string,
        port: o['port'] as number,
        host: o['host'] as string,
        adminPort: withAdmin ? (o['adminPort'] as number) : null,
        adminHost: o['adminHost'] as string,
        adminToken: admin?.token,
        auth: o['auth'] !== false,
        workers: o['workers'] as number | undefined,
        batching: {
          maxBatchSize: o['maxBatchSize'] as number,
          maxQueueDelayMicros: o['maxQueueDelayUs'] as number,
          maxQueueSize: o['maxQueueSize'] as number,
        },
        requestTimeoutMs: o['requestTimeoutMs'] as number,
        inlineBelowMs: o['inlineBelowMs'] as number,
        maxBodyBytes: o['maxBodyBytes'] as number,
        versionPolicy,
        pollMs: o['pollMs'] as number,
        tls: o['tlsCert']
          ? { cert: o['tlsCert'] as string, key: o['tlsKey'] as string }
          : undefined,
        logger: { level: o['logLevel'] as string },
      });
      const models = server.repository.modelNames();
      console.error(
        `keel serve: ${models.length} model(s) [${models.join(', ')}] at ${server.url}` +
          (server.adminUrl ? `; admin API at ${server.adminUrl} (token: ${admin!.where})` : ''),
      );
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          console.error(`keel serve: ${signal}: finishing requests in flight, then stopping`);
          server.close().then(resolve, resolve);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });
}
