// The entry of `keel serve`'s inference worker threads (piscina loads this file in each one):
// the compiled handler from dist/ in a built package, the TypeScript one through tsx in a checkout.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'serve', 'inference', 'inference-worker.js');
let handler;
if (
  existsSync(built) &&
  !existsSync(join(root, 'src', 'serve', 'inference', 'inference-worker.ts'))
) {
  handler = (await import(pathToFileURL(built).href)).default;
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const source = join(root, 'src', 'serve', 'inference', 'inference-worker.ts');
  handler = (await import(pathToFileURL(source).href)).default;
}

export default handler;
