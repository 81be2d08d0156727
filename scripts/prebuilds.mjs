/**
 * Puts this platform's native addon in prebuilds/<platform>-<arch>/keel.napi.node, the layout the
 * loader (src/backends/native/binding.ts) and scripts/install-native.mjs look for, so that a packed
 * tarball carries it and installs with no compiler. The addon is Node-API, so one file serves every
 * Node version; the kernels dispatch on the CPU's ISA at run time, so one x64 file serves every
 * x64 CPU. Builds build/Release/keel.node first when it is missing.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'build', 'Release', 'keel.node');
if (!existsSync(built)) {
  spawnSync(process.execPath, [join(root, 'scripts', 'build-native.mjs')], { stdio: 'inherit' });
}
if (!existsSync(built)) {
  console.error(`keel: ${built} could not be built, so the package would ship no prebuilt addon`);
  process.exit(1);
}
const dir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
mkdirSync(dir, { recursive: true });
copyFileSync(built, join(dir, 'keel.napi.node'));
console.log(`keel: ${join(dir, 'keel.napi.node')}`);
