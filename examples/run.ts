/**
 * Runs an example by name: `npm run example -- mnist-cnn --epochs 3`.
 * Every example ends by printing `Test loss: <x>` and `Test accuracy: <y>`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const examples = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'args.ts'].includes(f))
  .map((f) => f.slice(0, -3));
const [name, ...rest] = process.argv.slice(2);
const file = join(here, `${name}.ts`);
if (!name || !existsSync(file) || !examples.includes(name)) {
  console.error(
    `Usage: npm run example -- <name> [--epochs N] [--seed S]\nExamples: ${examples.join(', ')}`,
  );
  process.exit(1);
}
process.argv = [process.argv[0]!, file, ...rest];
await import(pathToFileURL(file).href);
