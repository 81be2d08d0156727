/**
 * `npm run test:asan`: builds the addon with AddressSanitizer (build/Debug/keel.node) and runs the
 * native backend's tests against it. Node itself is not instrumented, so the ASan runtime is
 * preloaded; leak checking is off because V8 keeps allocations alive until exit by design.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const build = spawnSync(process.execPath, ['scripts/build-native.mjs', '--asan'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

const cxx = process.env.CXX || 'c++';
const libasan = execFileSync(cxx, ['-print-file-name=libasan.so'], { encoding: 'utf8' }).trim();
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    'scripts/run-tests.ts',
    ...(process.argv.slice(2).length ? process.argv.slice(2) : ['test/backends/native']),
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      KEEL_NATIVE_PATH: resolve(root, 'build/Debug/keel.node'),
      KEEL_REQUIRE_NATIVE: '1',
      LD_PRELOAD: libasan,
      ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1',
    },
  },
);
process.exit(result.status ?? 1);
