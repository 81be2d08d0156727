#!/usr/bin/env node
// The `keel` command. A built package runs the compiled CLI from dist/; a checkout of the
// repository runs the TypeScript sources through tsx, so `npx keel` works before `npm run build`.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli', 'main.js');
if (existsSync(built) && !existsSync(join(root, 'src', 'cli', 'main.ts'))) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
