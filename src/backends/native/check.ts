import type { Tensor } from '../../tensor/tensor.js';

const DEFAULT_MIN_ELEMENTS = 64;

/** KEEL_NATIVE_MIN_ELEMENTS when it is a non-negative integer, else the default. */
function minElementsFromEnv(): number {
  const env = process.env['KEEL_NATIVE_MIN_ELEMENTS'];
  if (!env) return DEFAULT_MIN_ELEMENTS;
  if (/^\d+$/.test(env) && Number.isSafeInteger(Number(env))) return Number(env);
  console.warn(
    `keel: ignoring KEEL_NATIVE_MIN_ELEMENTS=${env} (expected a non-negative integer); using ${DEFAULT_MIN_ELEMENTS}`,
  );
  return DEFAULT_MIN_ELEMENTS;
}

/**
 * Tunables of the native kernels. KEEL_NATIVE_MIN_ELEMENTS=0 runs even tiny shapes natively (the
 * test runner does so for the op and layer tests, so they exercise the C++ edge cases).
 */
export const nativeOptions = {
  /** Elementwise, reduction and data-movement inputs smaller than this run in TypeScript: crossing costs more. */
  minElements: minElementsFromEnv(),
};

/**
 * The last line of defence before C++: the ops have validated shapes and dtypes, and these checks
 * make sure the storage really is as long as the attrs say, so no input can reach out of bounds.
 */
export function f32(kernel: string, name: string, t: Tensor, length: number): Float32Array {
  const d = t.data;
  if (!(d instanceof Float32Array)) {
    throw new TypeError(`${kernel} (native): ${name} must be float32, got ${t.dtype}`);
  }
  if (d.length !== length) {
    throw new RangeError(
      `${kernel} (native): ${name} has ${d.length} elements, the attrs need ${length}`,
    );
  }
  return d;
}

/** Asserts that every attr named is a non-negative safe integer. */
export function counts(kernel: string, attrs: object, names: readonly string[]): void {
  const a = attrs as Record<string, unknown>;
  for (const n of names) {
    const v = a[n];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new RangeError(
        `${kernel} (native): attr ${n} must be a non-negative integer, got ${v}`,
      );
    }
  }
}

/** True when every tensor is float32 (the native kernels' only dtype). */
export function allFloat32(tensors: readonly Tensor[]): boolean {
  for (const t of tensors)
    if (t.dtype !== 'float32' || !(t.data instanceof Float32Array)) return false;
  return true;
}
