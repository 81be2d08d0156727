import type { Command } from 'commander';
import { QUOTA_FIELDS, type Quota, ServeStore } from '../../serve/store/store.js';
import { UsageError } from '../errors.js';
import { importServing } from '../serving-packages.js';

function withStore<T>(db: string, fn: (store: ServeStore) => T): T {
  const store = ServeStore.open(db);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** `keel keys create|list|revoke|quota --db FILE`: the API keys of `keel serve`. */
export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .description('Create, list and revoke API keys of `keel serve`, and set their quotas.')
    .addHelpText(
      'after',
      '\nExamples:\n  $ keel keys create --db serve.db --customer acme\n  $ keel keys list --db serve.db\n  $ keel keys revoke --db serve.db --id 3',
    );
  keys
    .command('create')
    .description('Create a key for a customer; the key is printed once, alone on the last line.')
    .requiredOption('--db <file>', 'the serving database')
    .requiredOption('--customer <name>', 'customer the key bills to')
    .action((o: { db: string; customer: string }) => {
      const created = withStore(o.db, (s) => {
        try {
          return s.createKey(o.customer);
        } catch (e) {
          throw e instanceof RangeError ? new UsageError(e.message) : e;
        }
      });
      console.log(
        `customer: ${created.customer}\nkey id: ${created.id}\n(the key is shown only now; store it safely)`,
      );
      console.log(created.key);
    });
  keys
    .command('list')
    .description('List keys (prefixes only: keys are stored hashed).')
    .requiredOption('--db <file>', 'the serving database')
    .option('--json', 'print JSON')
    .action((o: { db: string; json?: boolean }) => {
      const list = withStore(o.db, (s) => s.listKeys());
      if (o.json) console.log(JSON.stringify(list, null, 2));
      else
        for (const k of list)
          console.log(
            `${k.id}\t${k.customer}\t${k.prefix}…\t${new Date(k.createdAt).toISOString()}\t${k.revokedAt ? `revoked ${new Date(k.revokedAt).toISOString()}` : 'active'}`,
          );
    });
  keys
    .command('revoke')
    .description('Revoke a key by id or by the key itself; it fails at its next request.')
    .requiredOption('--db <file>', 'the serving database')
    .option('--id <n>', 'key id (from keys list)')
    .option('--key <key>', 'the key itself')
    .action((o: { db: string; id?: string; key?: string }) => {
      if ((o.id === undefined) === (o.key === undefined))
        throw new UsageError('give --id or --key');
      const id = o.id === undefined ? undefined : Number(o.id);
      if (id !== undefined && !Number.isSafeInteger(id))
        throw new UsageError(`--id must be an integer, got '${o.id}'`);
      const done = withStore(o.db, (s) => s.revokeKey(id ?? o.key!));
      if (!done) throw new UsageError('no such active key');
      console.log('revoked');
    });
  const quota = keys
    .command('quota')
    .description('Set the quota of a key (omitted limits: unlimited); prints it.')
    .requiredOption('--db <file>', 'the serving database')
    .requiredOption('--id <n>', 'key id');
  for (const [field] of QUOTA_FIELDS) quota.option(`--${kebab(field)} <n>`, field);
  quota.action(async (o: Record<string, string>) => {
    const id = Number(o['id']);
    if (!Number.isSafeInteger(id))
      throw new UsageError(`--id must be an integer, got '${o['id']}'`);
    const given: Record<string, number> = {};
    for (const [field] of QUOTA_FIELDS) if (o[field] !== undefined) given[field] = Number(o[field]);
    const { parseQuota } = await importServing('keys quota', () => import('../../serve/admin.js'));
    let parsed: Quota;
    try {
      parsed = parseQuota(given);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const result = withStore(o['db']!, (s) => (s.setQuota(id, parsed) ? s.getQuota(id) : null));
    if (!result) throw new UsageError(`no key with id ${id}`);
    console.log(JSON.stringify(result));
  });
}
