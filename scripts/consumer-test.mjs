/**
 * The consumer test: Keel used the way a user gets it. Packs the package (`npm pack` after what
 * prepack does: dist/, rebuilt only when stale, and the prebuilt addon), installs the tarball into
 * a fresh project with `npm ci --offline` and no C++ compiler on PATH, then imports it from plain
 * JavaScript, type checks a TypeScript user under `tsc --strict`, trains one epoch on the native
 * backend from the prebuilt binary and prints backendInfo(). Fails when the backend is not
 * native, when npm prints a warning, or when Keel and its dependencies take 20 MB or more on disk.
 *
 * Offline: a fresh project's `npm install` would ask the registry for each dependency's metadata,
 * which `npm ci` here never fetched (a lockfile install downloads tarballs only; that was the
 * ENOTCACHED of `npm install --offline`). So the consumer gets a lockfile made from Keel's own:
 * the exact versions and integrity hashes of Keel's runtime dependencies, whose tarballs `npm ci`
 * has put in the npm cache.
 *
 *   node scripts/consumer-test.mjs [--tarball keel-x.y.z.tgz] [--keep]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distIsFresh } from './dist-stamp.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const tarballArg = args.includes('--tarball') ? args[args.indexOf('--tarball') + 1] : undefined;
const MAX_BYTES = 20 * 1024 * 1024;
const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'keel-consumer-'));

function fail(message) {
  console.error(`consumer test: FAILED: ${message}\n(work folder kept: ${work})`);
  process.exit(1);
}

function step(message) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`);
}

/** Runs a command, echoing its output; returns the output, failing the test on a nonzero exit. */
function run(cmd, cmdArgs, options) {
  const r = spawnSync(cmd, cmdArgs, { encoding: 'utf8', ...options });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (out.trim()) console.log(out.trimEnd());
  if (r.status !== 0) fail(`${cmd} ${cmdArgs.join(' ')} exited with ${r.status ?? r.signal}`);
  return out;
}

// 1. The tarball, as `npm publish` would upload it.
let tarball;
if (tarballArg) {
  tarball = join(work, basename(tarballArg));
  copyFileSync(resolve(tarballArg), tarball);
} else {
  // What prepack does (`npm run build && npm run build:prebuilds`), with the build skipped when
  // dist/ is already compiled from the current sources (scripts/dist-stamp.mjs): then the pack
  // itself runs without scripts, so nothing is compiled twice.
  if (distIsFresh()) step('dist/ is up to date with src/ (scripts/dist-stamp.mjs): not rebuilt');
  else {
    step('npm run build (dist/ is stale or missing)');
    run('npm', ['run', 'build'], { cwd: root });
  }
  run('npm', ['run', 'build:prebuilds'], { cwd: root });
  step('npm pack --ignore-scripts');
  run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: root });
  const packed = readdirSync(work).filter((f) => f.endsWith('.tgz'));
  if (packed.length !== 1) fail(`npm pack made ${packed.length} tarballs in ${work}`);
  tarball = join(work, packed[0]);
}
const manifest = JSON.parse(
  execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
);

// 2. The consumer's lockfile: Keel from the tarball, its runtime dependencies and the consumer's
// own TypeScript toolchain at the versions (and integrity hashes) of Keel's package-lock.json.
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const tsTools = ['typescript', '@types/node'];

/** The lockfile path a dependency `name` of the package at `from` resolves to (Node's lookup). */
function locate(name, from) {
  for (let dir = from; ; dir = dir.slice(0, dir.lastIndexOf('/node_modules/'))) {
    const path = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (lock.packages[path]) return path;
    if (!dir.includes('/node_modules/')) {
      const top = `node_modules/${name}`;
      return lock.packages[top] ? top : null;
    }
  }
}

/** Every lockfile path reachable from `names` through dependencies (optional ones if locked). */
function closure(names) {
  const seen = new Set();
  const queue = names.map((n) => locate(n, ''));
  while (queue.length > 0) {
    const path = queue.pop();
    if (path === null || seen.has(path)) continue;
    seen.add(path);
    const entry = lock.packages[path];
    const deps = { ...entry.dependencies, ...entry.optionalDependencies };
    for (const dep of Object.keys(deps)) {
      const found = locate(dep, path);
      if (found === null && !(dep in (entry.optionalDependencies ?? {})))
        fail(`${path} depends on ${dep}, which Keel's package-lock.json does not have`);
      queue.push(found);
    }
  }
  return seen;
}

const runtime = closure(Object.keys(manifest.dependencies ?? {}));
const tools = closure(tsTools);
const tarName = basename(tarball);
const packages = {
  '': {
    name: 'keel-consumer',
    dependencies: { keel: `file:${tarName}` },
    devDependencies: Object.fromEntries(
      tsTools.map((n) => [n, lock.packages[`node_modules/${n}`].version]),
    ),
  },
  'node_modules/keel': {
    version: manifest.version,
    resolved: `file:${tarName}`,
    integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
    license: manifest.license,
    dependencies: manifest.dependencies,
    bin: manifest.bin,
    engines: manifest.engines,
    peerDependencies: manifest.peerDependencies,
    peerDependenciesMeta: manifest.peerDependenciesMeta,
  },
};
for (const path of [...runtime, ...tools].sort()) {
  const { dev, devOptional, peer, ...entry } = lock.packages[path];
  const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  packages[path] = {
    ...entry,
    // Keel's lockfile leaves registry URLs out; npm finds the cached tarball from this URL and the
    // integrity hash without asking the registry for the package's metadata.
    resolved: `https://registry.npmjs.org/${name}/-/${basename(name)}-${entry.version}.tgz`,
    ...(runtime.has(path) ? {} : { dev: true }),
  };
}
const app = join(work, 'app');
mkdirSync(app);
copyFileSync(tarball, join(app, tarName));
const appManifest = { ...packages[''], private: true, type: 'module' };
writeFileSync(join(app, 'package.json'), `${JSON.stringify(appManifest, null, 2)}\n`);
writeFileSync(
  join(app, 'package-lock.json'),
  `${JSON.stringify({ name: 'keel-consumer', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
);

// 3. No compiler: PATH holds node and npm only, and CC/CXX name a command that fails.
const bin = join(work, 'bin');
mkdirSync(bin);
const npmCli = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin');
symlinkSync(process.execPath, join(bin, 'node'));
symlinkSync('/bin/sh', join(bin, 'sh'));
for (const tool of ['npm', 'npx']) {
  const target = existsSync(join(npmCli, `${tool}-cli.js`))
    ? join(npmCli, `${tool}-cli.js`)
    : execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
  writeFileSync(join(bin, tool), `#!/bin/sh\nexec node "${target}" "$@"\n`, { mode: 0o755 });
}
const env = { HOME: process.env.HOME, PATH: bin, CC: 'false', CXX: 'false', TMPDIR: tmpdir() };
const compilers = spawnSync('/bin/sh', ['-c', 'command -v g++ c++ gcc cc clang make'], { env });
if (compilers.stdout.toString().trim()) fail(`a compiler is on PATH: ${compilers.stdout}`);

// 4. Install, offline.
step('npm ci --offline in a fresh project (no compiler on PATH)');
const install = run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: app, env });
// Keel's own warnings fail the test: any naming keel, and npm's install-scripts notice (Keel has no
// install script; binding.gyp lives in native/ so that npm adds no `node-gyp rebuild`).
// Other packages' warnings are listed for the report.
const warnings = install.split('\n').filter((l) => /\bwarn\b|deprecated/i.test(l));
const own = warnings.filter((l) => /keel|install-scripts|gyp/i.test(l));
if (own.length > 0) fail(`npm install printed warnings of Keel's making:\n${own.join('\n')}`);
if (warnings.length > 0)
  console.log(
    `dependency warnings (not Keel's own), ${warnings.length} lines:\n${warnings.join('\n')}`,
  );
const installed = join(app, 'node_modules', 'keel');
if (existsSync(join(installed, 'build')))
  fail('the installed package has a build/ folder: the addon must come from prebuilds/');
if (!existsSync(join(installed, 'prebuilds', `${process.platform}-${process.arch}`)))
  fail(`the package has no prebuilt addon for ${process.platform}-${process.arch}`);

// 5. Installed size of Keel and its runtime dependencies (the consumer's TypeScript excluded).
function bytes(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((sum, f) => sum + bytes(join(path, f)), 0);
}
const nested = (path) => [...runtime].some((p) => p !== path && path.startsWith(`${p}/`));
const size =
  bytes(installed) +
  [...runtime]
    .filter((p) => !nested(p) && existsSync(join(app, p))) // optional ones for other platforms are not installed
    .reduce((sum, p) => sum + bytes(join(app, p)), 0);
step(
  `installed size of keel + ${runtime.size} runtime dependencies: ${(size / 1024 / 1024).toFixed(2)} MB (limit 20 MB)`,
);
if (size >= MAX_BYTES) fail(`Keel installs in ${size} bytes, over 20 MB`);

// 6. Plain JavaScript (ESM): train one epoch on the native backend.
writeFileSync(
  join(app, 'train.mjs'),
  `import { backendInfo, layers, randomNormal, Sequential, tensor, toCategorical } from 'keel';

const info = backendInfo();
console.log('backendInfo()', JSON.stringify(info));
if (info.backend !== 'native') {
  console.error('expected the native backend from the prebuilt binary');
  process.exit(1);
}
const x = randomNormal([256, 8]);
const labels = Array.from({ length: 256 }, (_, i) => i % 3);
const y = toCategorical(tensor(labels), 3);
const model = new Sequential();
model.add(new layers.Dense(16, { activation: 'relu', inputShape: [8] }));
model.add(new layers.Dense(3, { activation: 'softmax' }));
model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
const history = await model.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0 });
const loss = history.history.loss[0];
if (!Number.isFinite(loss)) throw new Error('loss is not finite: ' + loss);
console.log('one epoch on ' + info.backend + ' (' + info.isa + ', ' + info.threads + ' threads): loss ' + loss.toFixed(4));
`,
);
step('node train.mjs (plain JavaScript, ESM)');
run('node', ['train.mjs'], { cwd: app, env });

// 7. TypeScript under --strict, against the packed declarations.
writeFileSync(
  join(app, 'tsconfig.json'),
  `${JSON.stringify(
    {
      compilerOptions: {
        strict: true,
        target: 'es2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        noEmit: true,
        types: ['node'],
      },
      files: ['train.ts'],
    },
    null,
    2,
  )}\n`,
);
writeFileSync(
  join(app, 'train.ts'),
  `import { backendInfo, layers, Sequential, type Tensor, tensor } from 'keel';

const info: { backend: string; isa: string; threads: number } = backendInfo();
const model = new Sequential();
model.add(new layers.Dense(4, { activation: 'relu', inputShape: [2] }));
model.add(new layers.Dense(1));
model.compile({ optimizer: 'sgd', loss: 'mse' });
const out: Tensor | Tensor[] = model.predict(tensor([[1, 2]]));
console.log(info.backend, Array.isArray(out) ? out.length : out.shape);
// Typos in names are type errors (and an unused @ts-expect-error is one too).
// @ts-expect-error: the loss name is misspelled
model.compile({ optimizer: 'adam', loss: 'categorical_crossentropyy' });
// @ts-expect-error: the option name is misspelled
new layers.Dense(10, { activaton: 'relu' });
`,
);
step('tsc --strict on a TypeScript consumer');
run('node', [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app, env });

step(`passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (!keep) rmSync(work, { recursive: true, force: true });
else console.log(`work folder: ${work}`);
