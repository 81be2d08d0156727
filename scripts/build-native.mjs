/**
 * Builds the optional native addon (native/ and native/binding.gyp → build/Release/keel.node) with the node-gyp that npm
 * carries, offline: Node's headers must already be on this machine (npm's `nodedir` setting, or the
 * include/node folder beside this Node). It never fails: if the addon cannot be built, it says so
 * once and Keel runs on its TypeScript backend.
 *
 *   node scripts/build-native.mjs          Release build (the package's install step)
 *   node scripts/build-native.mjs --asan   Debug build with AddressSanitizer in build/Debug
 *
 * KEEL_SKIP_NATIVE=1 skips the build.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const asan = process.argv.includes('--asan');
const root = resolve(dirname(new URL(import.meta.url).pathname), '..');

function notice(reason) {
  console.warn(
    `keel: the native backend was not built (${reason}); Keel will run on its TypeScript backend.`,
  );
  process.exit(asan ? 1 : 0);
}

if (process.env.KEEL_SKIP_NATIVE === '1' && !asan) notice('KEEL_SKIP_NATIVE=1');

// Node's headers: npm's nodedir, else the prefix this Node was installed in.
const prefix = resolve(dirname(process.execPath), '..');
const candidates = [process.env.npm_config_nodedir, prefix].filter(Boolean);
const nodedir = candidates.find((d) => existsSync(join(d, 'include', 'node', 'node_api.h')));
if (!nodedir)
  notice(`no Node headers found in ${candidates.join(' or ')}, and nothing is downloaded`);

// npm passes the path of its own node-gyp; otherwise look for npm's copy next to this Node.
let gyp = process.env.npm_config_node_gyp;
if (!gyp || !existsSync(gyp)) {
  const near = [
    join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(
      dirname(process.execPath),
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ];
  gyp = near.find((p) => existsSync(p));
  if (!gyp) {
    try {
      gyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
    } catch {
      notice('node-gyp was not found');
    }
  }
}

// binding.gyp lives in native/: a binding.gyp at a package's root makes npm give the package a
// `node-gyp rebuild` install script, run at every install of it (and of this checkout). node-gyp
// reads it from the root (its paths are relative to the root), so it is there only for the build.
const gypFile = join(root, 'binding.gyp');
copyFileSync(join(root, 'native', 'binding.gyp'), gypFile);
process.on('exit', () => rmSync(gypFile, { force: true }));

const env = { ...process.env };
const run = (args) =>
  spawnSync(process.execPath, [gyp, ...args, `--nodedir=${nodedir}`, '--jobs=max'], {
    cwd: root,
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });

let result;
if (asan) {
  // Debug objects go to build/Debug, leaving the Release addon in place.
  env.CXXFLAGS = `${env.CXXFLAGS ?? ''} -fsanitize=address -fno-omit-frame-pointer -O1`;
  env.LDFLAGS = `${env.LDFLAGS ?? ''} -fsanitize=address`;
  result = run(['configure', '--debug']);
  if (result.status === 0) result = run(['build', '--debug']);
} else {
  result = run(['rebuild']);
}
if (result.error || result.status !== 0) {
  const log = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  mkdirSync(join(root, 'build'), { recursive: true });
  writeFileSync(join(root, 'build', 'native-build.log'), log);
  const lines = log.split('\n');
  const errors = lines.filter((l) => /error/i.test(l) && !l.startsWith('gyp ERR! stack'));
  console.warn(errors.slice(0, 20).join('\n'));
  notice(
    `${result.error ? result.error.message : `node-gyp exited with status ${result.status}`}; full log in build/native-build.log`,
  );
}
console.log(
  `keel: native backend built (${asan ? 'build/Debug, AddressSanitizer' : 'build/Release/keel.node'})`,
);
