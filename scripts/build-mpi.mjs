/**
 * Builds the optional MPI collectives addon (native/mpi/ → native/mpi/build/keel_mpi.node) when an
 * MPI installation is found: `mpicxx` (Open MPI, MPICH), else `pkg-config ompi-cxx|ompi|mpich`
 * with the system C++ compiler. Without MPI it prints one notice and exits 0, so `npm install`
 * never fails; `keel launch` then explains how to install Open MPI.
 *
 *   node scripts/build-mpi.mjs            (run by the package's install step)
 *
 * KEEL_SKIP_MPI=1 skips the build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const outDir = join(root, 'native', 'mpi', 'build');

function notice(reason) {
  console.warn(
    `keel: the MPI collectives were not built (${reason}); distributed training needs MPI (apt install openmpi-bin libopenmpi-dev).`,
  );
  process.exit(0);
}

if (process.env.KEEL_SKIP_MPI === '1') notice('KEEL_SKIP_MPI=1');

const sh = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8' });
const words = (s) => s.trim().split(/\s+/).filter(Boolean);

/** The compiler and flags: mpicxx wraps them itself; pkg-config gives them to plain c++. */
function findMpi() {
  for (const wrapper of ['mpicxx', 'mpic++']) {
    const r = sh(wrapper, ['--showme:version']);
    if (r.status === 0) return { cxx: wrapper, flags: [], how: wrapper };
    const m = sh(wrapper, ['-show']); // MPICH
    if (m.status === 0) return { cxx: wrapper, flags: [], how: wrapper };
  }
  for (const pkg of ['ompi-cxx', 'ompi', 'mpich']) {
    const r = sh('pkg-config', ['--cflags', '--libs', pkg]);
    if (r.status === 0) return { cxx: process.env.CXX ?? 'c++', flags: words(r.stdout), how: pkg };
  }
  return null;
}

const mpi = findMpi();
if (!mpi) notice('no mpicxx on PATH and no pkg-config ompi/mpich');

const prefix = resolve(dirname(process.execPath), '..');
const nodeDirs = [process.env.npm_config_nodedir, prefix].filter(Boolean);
const nodedir = nodeDirs.find((d) => existsSync(join(d, 'include', 'node', 'node_api.h')));
if (!nodedir) notice(`no Node headers found in ${nodeDirs.join(' or ')}`);
const addonApi = createRequire(import.meta.url)('node-addon-api').include_dir;

const sources = readdirSync(join(root, 'native', 'mpi'))
  .filter((f) => f.endsWith('.cc'))
  .map((f) => join(root, 'native', 'mpi', f));
mkdirSync(outDir, { recursive: true });
const args = [
  '-O2',
  '-std=c++17',
  '-shared',
  '-fPIC',
  '-DNAPI_VERSION=8',
  '-DNAPI_CPP_EXCEPTIONS',
  `-I${join(nodedir, 'include', 'node')}`,
  `-I${resolve(root, addonApi)}`,
  ...sources,
  ...mpi.flags,
  '-ldl',
  '-lpthread',
  '-o',
  join(outDir, 'keel_mpi.node'),
];
const result = spawnSync(mpi.cxx, args, { encoding: 'utf8' });
if (result.error || result.status !== 0) {
  const log = `${mpi.cxx} ${args.join(' ')}\n${result.stdout ?? ''}${result.stderr ?? ''}`;
  writeFileSync(join(outDir, 'build.log'), log);
  notice(`${mpi.cxx} failed; full log in native/mpi/build/build.log`);
}
console.log(`keel: MPI collectives built with ${mpi.how} (native/mpi/build/keel_mpi.node)`);
