/**
 * The second half of `npm run build`: tsc emits only JavaScript, so this copies every file under
 * src/ that is not TypeScript (today the dashboard's page, src/dashboard/web/) to the same place
 * under the output folder, where the compiled modules look for it beside themselves.
 * `node scripts/copy-assets.mjs [OUT_DIR]` (default dist/, relative to the repository root).
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const out = resolve(root, process.argv[2] ?? 'dist');

let copied = 0;
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
  const from = join(entry.parentPath ?? entry.path, entry.name);
  const to = join(out, relative(src, from));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  copied++;
}
console.log(`keel: ${copied} asset files copied from src/ to ${relative(root, out) || '.'}/`);
