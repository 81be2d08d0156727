/**
 * Runs every *.test.ts file under test/ (and beside the code in src/) in Node's test runner,
 * with TypeScript loaded through tsx. Extra arguments filter files by substring:
 * `npm run test:unit -- ops/add`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

function collect(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (entry.endsWith('.test.ts')) out.push(relative(process.cwd(), path));
  }
}

const files: string[] = [];
for (const root of ['test', 'src']) collect(root, files);
const filters = process.argv.slice(2);
const selected = filters.length ? files.filter((f) => filters.some((p) => f.includes(p))) : files;
if (selected.length === 0) {
  console.error(`run-tests: no test file matches ${filters.join(', ')}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', ...selected.sort()],
  {
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
