/**
 * Builds the native addon from source unless a prebuilt one for this platform is present
 * (prebuilds/<platform>-<arch>/*.node, see scripts/prebuilds.mjs). It is the package's `prepare`
 * step, so it runs in a checkout (`npm install` / `npm ci`) and for git installs, never for users of
 * the packed or published package: that has no install script at all (binding.gyp lives in native/,
 * so npm adds no `node-gyp rebuild`), so npm's install-script approval never
 * stands in the way. A user on a platform without a prebuild builds it with
 * `npm explore keel -- npm run build:native` (Node headers and a C++ compiler needed).
 * `--build-from-source` or KEEL_BUILD_FROM_SOURCE=1 builds even when a prebuild exists; the
 * optional MPI addon is built too.
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
