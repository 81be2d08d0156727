/**
 * Cross-compiles the native addon for linux-arm64 (glibc) with Debian's cross compiler
 * (`apt-get install g++-aarch64-linux-gnu`) into prebuilds/linux-arm64/keel.napi.node, so that a
 * tarball packed afterwards carries it. Not part of prepack: a packer without the cross compiler
 * still gets a linux-x64 package. The arm64 build has only the portable scalar kernels (the ISA
 * variants of native/isa/ are x64 ones).
 *
 *   node scripts/prebuild-arm64.mjs          build prebuilds/linux-arm64/keel.napi.node
 *   node scripts/prebuild-arm64.mjs --test-only   only the tests, on the addon already built
 *   node scripts/prebuild-arm64.mjs --test   then run the native kernel tests (test/backends/native
 *                                            but loading.test.ts, whose child processes qemu cannot start)
 *                                            on it under qemu-user with an arm64 Node:
 *     KEEL_ARM64_ROOT  a folder holding an arm64 Node and its libraries (usr/bin/node), e.g. Debian's
 *                      nodejs:arm64 and its dependencies unpacked with `dpkg -x`; qemu-aarch64 -L
 *                      uses it as the arm64 root.
 * The tests are bundled by esbuild (tsx's) into .keel-tmp/arm64/ and run in one arm64 Node.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cross = 'aarch64-linux-gnu';

function die(message) {
  console.error(`prebuild-arm64: ${message}`);
  process.exit(1);
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (r.error) die(`${cmd}: ${r.error.message}`);
  return r.status ?? 1;
}

const testOnly = process.argv.includes('--test-only');
if (testOnly) test(join(root, 'prebuilds', 'linux-arm64', 'keel.napi.node'));
else build();

function build() {
  if (spawnSync(`${cross}-g++`, ['--version']).status !== 0)
    die(`${cross}-g++ not found (apt-get install g++-aarch64-linux-gnu)`);
  const prefix = resolve(dirname(process.execPath), '..');
  const gyp = join(
    prefix,
    'lib',
    'node_modules',
    'npm',
    'node_modules',
    'node-gyp',
    'bin',
    'node-gyp.js',
  );
  if (!existsSync(gyp)) die(`npm's node-gyp not found at ${gyp}`);
  if (!existsSync(join(prefix, 'include', 'node', 'node_api.h')))
    die(`no Node headers in ${prefix}/include/node`);

  // node-gyp builds into <dir>/build: a scratch copy of native/ keeps build/ (the x64 addon) intact.
  const work = mkdtempSync(join(tmpdir(), 'keel-arm64-'));
  cpSync(join(root, 'native'), join(work, 'native'), { recursive: true });
  copyFileSync(join(root, 'native', 'binding.gyp'), join(work, 'binding.gyp'));
  mkdirSync(join(work, 'scripts'));
  copyFileSync(
    join(root, 'scripts', 'native-sources.cjs'),
    join(work, 'scripts', 'native-sources.cjs'),
  );
  mkdirSync(join(work, 'node_modules'));
  symlinkSync(
    join(root, 'node_modules', 'node-addon-api'),
    join(work, 'node_modules', 'node-addon-api'),
  );
  const env = {
    ...process.env,
    CC: `${cross}-gcc`,
    CXX: `${cross}-g++`,
    LINK: `${cross}-g++`,
    AR: `${cross}-ar`,
  };
  const status = run(
    process.execPath,
    [gyp, 'rebuild', '--arch=arm64', `--nodedir=${prefix}`, '--jobs=max'],
    { cwd: work, env },
  );
  if (status !== 0) die(`node-gyp exited with ${status} (scratch folder kept: ${work})`);
  const out = join(root, 'prebuilds', 'linux-arm64');
  mkdirSync(out, { recursive: true });
  const addon = join(out, 'keel.napi.node');
  copyFileSync(join(work, 'build', 'Release', 'keel.node'), addon);
  rmSync(work, { recursive: true, force: true });
  console.log(`prebuild-arm64: ${addon}`);
  if (process.argv.includes('--test')) test(addon);
}

function test(addon) {
  if (!existsSync(addon)) die(`no ${addon}: build it first`);
  const arm64Root = process.env.KEEL_ARM64_ROOT;
  if (!arm64Root || !existsSync(join(arm64Root, 'usr', 'bin', 'node')))
    die('--test needs KEEL_ARM64_ROOT, a folder with an arm64 usr/bin/node and its libraries');
  const bundles = join(root, '.keel-tmp', 'arm64');
  mkdirSync(bundles, { recursive: true });
  const dir = join(root, 'test', 'backends', 'native');
  // loading.test.ts starts child Node processes, which qemu-user cannot exec without binfmt_misc.
  const files = readdirSync(dir).filter((f) => f.endsWith('.test.ts') && f !== 'loading.test.ts');
  // One bundle of every test file, run in one process: `node --test` would start a child Node per
  // file, which qemu-user cannot exec without binfmt_misc.
  const entry = join(bundles, 'entry.mjs');
  writeFileSync(entry, files.map((f) => `import ${JSON.stringify(join(dir, f))};\n`).join(''));
  const bundle = join(bundles, 'native-tests.mjs');
  const bundled = run(join(root, 'node_modules', '.bin', 'esbuild'), [
    entry,
    '--bundle',
    '--platform=node',
    '--format=esm',
    '--packages=external',
    '--target=node18',
    `--outfile=${bundle}`,
    '--log-level=warning',
  ]);
  if (bundled !== 0) die('esbuild could not bundle the native kernel tests');
  const node = join(arm64Root, 'usr', 'bin', 'node');
  const code = run('qemu-aarch64', ['-L', arm64Root, node, bundle], {
    env: {
      ...process.env,
      KEEL_NATIVE_PATH: addon,
      KEEL_REQUIRE_NATIVE: '1',
    },
  });
  if (code !== 0) die(`the native kernel tests failed on arm64 (exit ${code})`);
}
