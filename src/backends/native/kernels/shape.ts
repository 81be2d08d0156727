import { broadcastStrides, stridesOf } from '../../../tensor/shape.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type {
  KernelAttrs,
  KernelInputs,
  KernelName,
  KernelOutputs,
  PadMode,
} from '../../kernels.js';
import { getKernel, REFERENCE_BACKEND, registerKernel } from '../../registry.js';
import type { NativeBinding } from '../binding.js';
import { nativeOptions } from '../check.js';

/** Storage the shape kernels move: 4-byte (float32, int32) or 1-byte (bool) elements. */
type Raw = Float32Array | Int32Array | Uint8Array;

/** The addon's native/shape/ entry points (shape_napi.cc); shapes and strides as Float64Arrays. */
export interface ShapeBinding {
  transpose(x: Raw, y: Raw, xShape: Float64Array, perm: Float64Array): void;
  stridedCopy(x: Raw, y: Raw, offset: number, strides: Float64Array, shape: Float64Array): void;
  mappedCopy(
    x: Raw,
    y: Raw,
    fill: Raw,
    maps: Int32Array,
    xShape: Float64Array,
    yShape: Float64Array,
  ): void;
  concatPart(x: Raw, y: Raw, outer: number, inner: number, row: number, start: number): void;
  where(
    cond: Uint8Array,
    a: Raw,
    b: Raw,
    y: Raw,
    shape: Float64Array,
    condStrides: Float64Array,
    aStrides: Float64Array,
    bStrides: Float64Array,
  ): void;
  oneHot(
    indices: Int32Array,
    y: Float32Array,
    depth: number,
    onValue: number,
    offValue: number,
  ): void;
}

/** The ranks native/shape/shape.h takes. */
const MAX_RANK = 8;

/**
 * The tensors' storage when all share one dtype whose storage the kernels move and the rank is
 * within MAX_RANK, else null (then the TypeScript kernel runs).
 */
function rawAll(tensors: readonly Tensor[], rank: number): Raw[] | null {
  if (rank > MAX_RANK) return null;
  const dtype = tensors[0]!.dtype;
  const out: Raw[] = [];
  for (const t of tensors) {
    const d = t.data;
    const ok =
      t.dtype === dtype &&
      (d instanceof Float32Array || d instanceof Int32Array || d instanceof Uint8Array);
    if (!ok || d.length !== t.size) return null;
    out.push(d as Raw);
  }
  return out;
}

const f64 = (xs: readonly number[]) => Float64Array.from(xs);

/** The source index along an axis of size n for output position i, or -1 for the constant. */
function padSource(i: number, before: number, n: number, mode: PadMode): number {
  const j = i - before;
  if (j >= 0 && j < n) return j;
  if (mode === 'constant') return -1;
  if (mode === 'reflect') return j < 0 ? -j : 2 * n - 2 - j;
  return j < 0 ? -j - 1 : 2 * n - 1 - j;
}

/**
 * Native transpose, slice, concat, pad, tile, where and oneHot: byte-moving kernels that serve
 * float32, int32 and bool alike. Tiny outputs, mixed dtypes and ranks above 8 run in TypeScript.
 */
export function registerShape(binding: NativeBinding): void {
  const native = binding as NativeBinding & ShapeBinding;
  /** Registers `name`, falling back to the reference kernel when `run` returns false. */
  const define = <K extends KernelName>(
    name: K,
    run: (i: KernelInputs<K>, o: KernelOutputs<K>, a: KernelAttrs<K>) => boolean,
  ) => {
    const reference = getKernel(name, REFERENCE_BACKEND);
    registerKernel(name, 'native', (inputs, outputs, a) => {
      if (outputs[0]!.size < nativeOptions.minElements || !run(inputs, outputs, a))
        reference(inputs, outputs, a);
    });
  };

  define('transpose', ([x], [y], a) => {
    const raw = rawAll([x!, y!], x!.rank);
    if (!raw || a.perm.length !== x!.rank) return false;
    native.transpose(raw[0]!, raw[1]!, f64(x!.shape), f64(a.perm));
    return true;
  });

  define('slice', ([x], [y], a) => {
    const raw = rawAll([x!, y!], x!.rank);
    if (!raw || a.begin.length !== x!.rank) return false;
    const strides = stridesOf(x!.shape);
    let offset = 0;
    for (let d = 0; d < strides.length; d++) offset += a.begin[d]! * strides[d]!;
    native.stridedCopy(raw[0]!, raw[1]!, offset, f64(strides), f64(y!.shape));
    return true;
  });

  define('concat', (xs, [y], a) => {
    const raw = rawAll([...xs, y!], y!.rank);
    if (!raw) return false;
    let outer = 1;
    for (let d = 0; d < a.axis; d++) outer *= y!.shape[d]!;
    const row = outer === 0 ? 0 : y!.size / outer;
    let start = 0;
    xs.forEach((x, i) => {
      const inner = outer === 0 ? 0 : x.size / outer;
      native.concatPart(raw[i]!, raw[xs.length]!, outer, inner, row, start);
      start += inner;
    });
    return true;
  });

  /** Copies through per-axis maps (-1: the fill value), as pad and tile do. */
  const mapped = (x: Tensor, y: Tensor, fill: number, source: (d: number, i: number) => number) => {
    const raw = rawAll([x, y], x.rank);
    if (!raw) return false;
    const maps = new Int32Array(y.shape.reduce((s, n) => s + n, 0));
    let at = 0;
    y.shape.forEach((n, d) => {
      for (let i = 0; i < n; i++) maps[at++] = source(d, i);
    });
    const f = new (raw[0]!.constructor as new (n: number) => Raw)(1);
    f[0] = fill;
    native.mappedCopy(raw[0]!, raw[1]!, f, maps, f64(x.shape), f64(y.shape));
    return true;
  };
  define('pad', ([x], [y], a) =>
    mapped(x!, y!, a.constantValue, (d, i) =>
      padSource(i, a.paddings[d]![0], x!.shape[d]!, a.mode),
    ),
  );
  define('tile', ([x], [y]) => mapped(x!, y!, 0, (d, i) => i % x!.shape[d]!));

  define('where', ([c, a, b], [y]) => {
    const raw = rawAll([a!, b!, y!], y!.rank);
    const cd = c!.data;
    if (!raw || c!.dtype !== 'bool' || !(cd instanceof Uint8Array) || c!.rank > y!.rank)
      return false;
    const s = (t: Tensor) => f64(broadcastStrides(t.shape, y!.shape));
    native.where(cd, raw[0]!, raw[1]!, raw[2]!, f64(y!.shape), s(c!), s(a!), s(b!));
    return true;
  });

  define('oneHot', ([indices], [y], a) => {
    const id = indices!.data;
    const yd = y!.data;
    // With offValue 0 the TS kernel only writes the n on-values into the zeroed output: faster.
    if (a.offValue === 0 || !(id instanceof Int32Array) || !(yd instanceof Float32Array))
      return false;
    native.oneHot(id, yd, a.depth, a.onValue, a.offValue);
    return true;
  });
}
