/**
 * The package's install step. A package that ships a prebuilt addon for this platform
 * (prebuilds/<platform>-<arch>/*.node, see scripts/prebuilds.mjs) needs nothing built, so this
 * returns at once and no compiler is touched. Otherwise, or with `--build-from-source`
 * (`npm rebuild keel --build-from-source`, which npm passes as npm_config_build_from_source) or
 * KEEL_BUILD_FROM_SOURCE=1, it builds the native addon and the optional MPI addon from source.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fromSource =
  process.env.KEEL_BUILD_FROM_SOURCE === '1' ||
  process.env.npm_config_build_from_source === 'true' ||
  process.argv.includes('--build-from-source');
const dir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
const shipped = existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.node'));

if (fromSource || !shipped) {
  for (const script of ['build-native.mjs', 'build-mpi.mjs']) {
    const run = spawnSync(process.execPath, [join(root, 'scripts', script)], { stdio: 'inherit' });
    if (run.status !== 0) process.exit(run.status ?? 1);
  }
}
