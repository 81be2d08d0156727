import './ts/index.js';
import { nativeUnavailableReason } from './native/index.js';
import { listBackends, setBackend } from './registry.js';

// KEEL_BACKEND=ts|native chooses; by default the native backend runs whenever its addon loaded.
const requested = process.env['KEEL_BACKEND'] || (nativeUnavailableReason ? 'ts' : 'native');
if (requested !== 'ts') {
  if (listBackends().includes(requested)) setBackend(requested);
  else
    console.warn(
      `keel: KEEL_BACKEND=${requested} is not available${nativeUnavailableReason ? ` (${nativeUnavailableReason})` : ''}; using the TypeScript backend`,
    );
} else if (nativeUnavailableReason && !process.env['KEEL_BACKEND']) {
  console.warn(
    `keel: native backend unavailable (${nativeUnavailableReason}); using the TypeScript backend. ` +
      'Build it with `npm rebuild keel` (`npm run build:native` in a checkout); it needs a C++17 compiler and Python 3.',
  );
}

export * from './registry.js';
