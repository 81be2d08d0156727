import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONV2D_FIELDS, POOL2D_FIELDS, RNN_FIELDS } from '../kernels.js';

/**
 * The functions of the compiled addon (native/addon.cc). Each validates its arguments again in
 * C++; the TypeScript kernels in ./kernels check shapes and lengths before calling.
 */
export interface NativeBinding {
  /** Op names in the order of the C++ enums: an op's code is its index. */
  unaryOps: string[];
  binaryOps: string[];
  reduceOps: string[];
  /** The field order in which C++ unpacks each Float64Array of attrs (its X-macro layouts). */
  attrLayouts: Record<string, string[]>;
  info(): { isa: string; threads: number; isas: string[] };
  setNumThreads(n: number): void;
  setIsa(name: string): boolean;
  matMul(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    batch: number,
    M: number,
    N: number,
    K: number,
    aBatchStride: number,
    bBatchStride: number,
    transposeA: boolean,
    transposeB: boolean,
    accumulate: boolean,
  ): void;
  unary(op: number, x: Float32Array, y: Float32Array, alpha: number, beta: number): void;
  binary(
    op: number,
    a: Float32Array,
    b: Float32Array,
    y: Float32Array,
    shape: Float64Array,
    aStrides: Float64Array,
    bStrides: Float64Array,
  ): void;
  reduce(
    op: number,
    x: Float32Array,
    y: Float32Array,
    outer: number,
    R: number,
    inner: number,
  ): void;
  /** attrs: the 15 numbers of Conv2DAttrs in declaration order (see kernels/conv2d.ts). */
  conv2d(x: Float32Array, filter: Float32Array, y: Float32Array, attrs: Float64Array): void;
  conv2dBackpropInput(
    dy: Float32Array,
    filter: Float32Array,
    dx: Float32Array,
    attrs: Float64Array,
  ): void;
  conv2dBackpropFilter(
    x: Float32Array,
    dy: Float32Array,
    dw: Float32Array,
    attrs: Float64Array,
  ): void;
  /** attrs: the 12 numbers of Pool2DAttrs in declaration order (see kernels/pool2d.ts). */
  maxPool2d(x: Float32Array, y: Float32Array, attrs: Float64Array): void;
  maxPool2dBackward(
    dy: Float32Array,
    x: Float32Array,
    y: Float32Array,
    dx: Float32Array,
    attrs: Float64Array,
  ): void;
  avgPool2d(x: Float32Array, y: Float32Array, attrs: Float64Array): void;
  avgPool2dBackward(dy: Float32Array, dx: Float32Array, attrs: Float64Array): void;
  sgdUpdate(
    g: Float32Array,
    w: Float32Array,
    m: Float32Array | null,
    lr: number,
    momentum: number,
    nesterov: boolean,
    decay: number,
  ): void;
  adamUpdate(
    g: Float32Array,
    w: Float32Array,
    m: Float32Array,
    v: Float32Array,
    vHat: Float32Array | null,
    alpha: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    decay: number,
    gradScale: number,
  ): void;
  rmspropUpdate(
    g: Float32Array,
    w: Float32Array,
    v: Float32Array,
    momentum: Float32Array | null,
    average: Float32Array | null,
    lr: number,
    rho: number,
    momentumFactor: number,
    epsilon: number,
    decay: number,
  ): void;
}

export type LoadResult =
  | { binding: NativeBinding; path: string }
  | { binding: null; reason: string };

/**
 * The prebuilt Node-API addon shipped in the package for this platform, prebuildify's layout
 * (prebuilds/<platform>-<arch>/*.node), or null when the package has none for it.
 */
function prebuilt(root: string): string | null {
  const dir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
  if (!existsSync(dir)) return null;
  const file = readdirSync(dir)
    .filter((f) => f.endsWith('.node'))
    .sort()[0];
  return file ? join(dir, file) : null;
}

/**
 * Loads the addon: `KEEL_NATIVE_PATH` when set (the ASan build uses it), else build/Release/keel.node
 * at the package root (three levels up from src/backends/native and from dist/backends/native) when
 * built from source, else the prebuilt binary in prebuilds/<platform>-<arch>/.
 */
export function loadBinding(): LoadResult {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = join(here, '..', '..', '..');
  const built = join(root, 'build', 'Release', 'keel.node');
  const path =
    process.env['KEEL_NATIVE_PATH'] || (existsSync(built) ? built : prebuilt(root) || built);
  if (!existsSync(path)) return { binding: null, reason: `${path} was not built` };
  try {
    const binding = createRequire(import.meta.url)(path) as NativeBinding;
    const drift = layoutDrift(binding.attrLayouts);
    if (drift) return { binding: null, reason: `${path} is out of date: ${drift}` };
    return { binding, path };
  } catch (e) {
    return { binding: null, reason: `${path} failed to load: ${(e as Error).message}` };
  }
}

/** The attr layouts the TypeScript side packs, by the names the addon exports them under. */
export const ATTR_LAYOUTS: Readonly<Record<string, readonly string[]>> = {
  conv2d: CONV2D_FIELDS,
  pool2d: POOL2D_FIELDS,
  rnn: RNN_FIELDS,
  qconv2d: CONV2D_FIELDS,
  qpool2d: POOL2D_FIELDS,
};

/**
 * Why the addon's attr layouts differ from the contract's ('' when they agree): an addon built
 * from other sources would read every Float64Array of attrs with the wrong fields, so it is refused.
 */
export function layoutDrift(native: Record<string, readonly string[]> | undefined): string {
  for (const [name, fields] of Object.entries(ATTR_LAYOUTS)) {
    const got = native?.[name];
    if (!got || got.join() !== fields.join())
      return `its ${name} attrs are [${got?.join(', ') ?? 'missing'}], Keel packs [${fields.join(', ')}] (rebuild it: npm run build:native)`;
  }
  return '';
}
