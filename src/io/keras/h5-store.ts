/**
 * The HDF5 weights of a `.keras` file (`model.weights.h5`), as Keras 3's H5IOStore lays them out:
 * one group per saveable object, named by its attribute path (`layers/dense_1`,
 * `layers/lstm/cell`, `optimizer`), holding a `vars` group whose datasets `0`, `1`, … are the
 * object's variables in creation order; the root's own variables sit in `/vars`.
 * HDF5 is read and written with h5wasm, an optional peer dependency loaded on first use. Keel
 * uses its in-memory build, not `h5wasm/node`: the node build opens paths on the real file
 * system, so a hostile file's external links or external raw-data storage would read the host's
 * files; in memory those paths resolve to nothing (external links are then refused as
 * non-datasets).
 */
import { DTYPES, type DType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';

type H5Lib = typeof import('h5wasm').default;
type H5File = InstanceType<H5Lib['File']>;
type H5Group = InstanceType<H5Lib['Group']>;
/** h5wasm's classes and the in-memory file system its Emscripten module works on. */
interface H5Module {
  lib: H5Lib;
  fs: {
    writeFile(path: string, data: Uint8Array): void;
    readFile(path: string): Uint8Array;
    unlink(path: string): void;
  };
}

let loaded: Promise<H5Module> | undefined;
let fileCounter = 0;

/** h5wasm, imported once; a missing package is an error that says how to install it. */
export function loadH5wasm(what: string): Promise<H5Module> {
  loaded ??= (async () => {
    let mod: { default: H5Lib };
    try {
      mod = await import('h5wasm');
    } catch (e) {
      loaded = undefined;
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
        throw new Error(
          `${what}: .keras files keep their weights in HDF5, read and written with the optional package h5wasm, which is not installed: npm install h5wasm`,
        );
      }
      throw e;
    }
    const module = (await mod.default.ready) as unknown as { FS: H5Module['fs'] };
    return { lib: mod.default, fs: module.FS };
  })();
  return loaded;
}

/** A fresh name in h5wasm's in-memory file system. */
const memoryPath = () => `/keel-keras-${process.pid}-${fileCounter++}.h5`;

/** One variable to write: its group path (`layers/dense`), its index in `vars`, its value. */
export interface H5Variable {
  group: string;
  index: number;
  value: Tensor;
}

/** HDF5's datatype classes (H5Tpublic.h). */
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;

const H5_DTYPE: Partial<Record<DType, string>> = {
  float32: '<f',
  int32: '<i',
  int8: '<b',
  uint8: '<B',
};

/**
 * The bytes of a `model.weights.h5` holding `variables` under `<group>/vars/<index>`; each vars
 * group gets the attribute `name` from `names` where given, as Keras writes the layer's name.
 */
export async function writeH5Weights(
  variables: readonly H5Variable[],
  names: ReadonlyMap<string, string>,
  what: string,
): Promise<Uint8Array> {
  const { lib, fs } = await loadH5wasm(what);
  const path = memoryPath();
  const file = new lib.File(path, 'w');
  try {
    const groups = new Map<string, H5Group | H5File>([['', file]]);
    const group = (p: string): H5Group | H5File => {
      const found = groups.get(p);
      if (found) return found;
      const cut = p.lastIndexOf('/');
      const parent = group(cut < 0 ? '' : p.slice(0, cut));
      const made = parent.create_group(p.slice(cut + 1));
      groups.set(p, made);
      return made;
    };
    for (const v of variables) {
      const dtype = H5_DTYPE[v.value.dtype];
      if (!dtype) {
        throw new Error(
          `${what}: variable ${v.group}/vars/${v.index} has dtype ${v.value.dtype}; .keras weights are written as float32, int32, int8 or uint8`,
        );
      }
      const vars = group(v.group === '' ? 'vars' : `${v.group}/vars`);
      vars.create_dataset({
        name: String(v.index),
        data: v.value.data as Float32Array,
        shape: [...v.value.shape],
        dtype,
      });
    }
    for (const [g, name] of names) {
      const vars = groups.get(g === '' ? 'vars' : `${g}/vars`);
      if (vars && !('name' in vars.attrs)) vars.create_attribute('name', name);
    }
  } catch (e) {
    file.close();
    fs.unlink(path);
    throw e;
  }
  file.close();
  try {
    return fs.readFile(path).slice();
  } finally {
    fs.unlink(path);
  }
}

/** The weights file opened for reading; `close()` frees it and its in-memory copy. */
export interface H5WeightsReader {
  /** Whether a group exists at `path` ('' is the root). */
  hasGroup(path: string): boolean;
  /** The names of the datasets in `<group>/vars`, or [] when there is none. */
  varNames(group: string): string[];
  /**
   * Dataset `<group>/vars/<name>` as a tensor of `dtype`, after checking that it is a plain
   * numeric dataset of exactly `shape`; `owner` names the layer in errors.
   */
  read(group: string, name: string, shape: readonly number[], dtype: DType, owner: string): Tensor;
  close(): void;
}

/** HDF5's format signature, at offset 0 or (after a user block) 512, 1024, 2048, … */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function hasHdf5Signature(bytes: Uint8Array): boolean {
  for (let at = 0; at + SIGNATURE.length <= bytes.byteLength; at = at === 0 ? 512 : at * 2) {
    if (SIGNATURE.every((b, i) => bytes[at + i] === b)) return true;
  }
  return false;
}

/** Opens the bytes of a `model.weights.h5`; nothing is read from it until asked for. */
export async function openH5Weights(bytes: Uint8Array, source: string): Promise<H5WeightsReader> {
  const { lib: h5, fs } = await loadH5wasm(source);
  if (!hasHdf5Signature(bytes)) {
    throw new Error(`${source}: model.weights.h5 is not a readable HDF5 file (no HDF5 signature)`);
  }
  const path = memoryPath();
  let file: H5File;
  try {
    fs.writeFile(path, bytes);
    file = new h5.File(path, 'r');
    if (!(file.file_id > 0n)) throw new Error('HDF5 could not open it');
  } catch (e) {
    try {
      fs.unlink(path);
    } catch {
      // never written
    }
    throw new Error(
      `${source}: model.weights.h5 is not a readable HDF5 file: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const entity = (p: string) => {
    try {
      return p === '' ? file : file.get(p);
    } catch {
      return null;
    }
  };
  return {
    hasGroup: (p) => entity(p) instanceof h5.Group,
    varNames(group) {
      const vars = entity(group === '' ? 'vars' : `${group}/vars`);
      if (!(vars instanceof h5.Group)) return [];
      try {
        return vars.keys();
      } catch (e) {
        // h5wasm throws strings from the HDF5 library on a damaged file.
        throw new Error(
          `${source}: model.weights.h5 is damaged at '${group}/vars': ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    },
    read(group, name, shape, dtype, owner) {
      const p = `${group === '' ? '' : `${group}/`}vars/${name}`;
      const d = entity(p);
      if (!(d instanceof h5.Dataset)) {
        throw new Error(`${source}: ${owner}: '${p}' is not a dataset in model.weights.h5`);
      }
      const meta = d.metadata;
      const got = meta.shape ?? [];
      if (got.length !== shape.length || got.some((n, i) => n !== shape[i])) {
        throw new Error(
          `${source}: ${owner}: variable '${p}' has shape [${got}], the layer needs [${shape}]`,
        );
      }
      if (meta.virtual_sources && meta.virtual_sources.length > 0) {
        throw new Error(
          `${source}: ${owner}: '${p}' is a virtual dataset mapping other files; refused`,
        );
      }
      const numeric =
        !meta.vlen &&
        ((meta.type === H5T_FLOAT && (meta.size === 4 || meta.size === 8)) ||
          (meta.type === H5T_INTEGER && meta.size <= 8));
      if (!numeric || d.attrs['dtype'] !== undefined) {
        const extra = d.attrs['dtype'] ? ` (${String(d.attrs['dtype'].value)})` : '';
        throw new Error(
          `${source}: ${owner}: variable '${p}' has HDF5 type class ${meta.type}, size ${meta.size}${extra}; Keel reads float32/float64 and integer variables`,
        );
      }
      let raw: ArrayLike<number | bigint> | number | bigint;
      try {
        raw = d.value as typeof raw;
      } catch (e) {
        throw new Error(
          `${source}: ${owner}: cannot read '${p}': ${e instanceof Error ? e.message : String(e)}`,
        );
      }
      // h5wasm returns a rank-0 dataset's value as a plain number.
      const values = typeof raw === 'object' && raw !== null ? raw : [raw];
      const size = shape.reduce((a, b) => a * b, 1);
      if (values.length !== size) {
        throw new Error(
          `${source}: ${owner}: '${p}' holds ${values.length} values, expected ${size}`,
        );
      }
      const out = DTYPES[dtype].create(size);
      for (let i = 0; i < size; i++) out[i] = Number(values[i]);
      return new Tensor(out, [...shape], dtype);
    },
    close() {
      try {
        file.close();
      } finally {
        fs.unlink(path);
      }
    },
  };
}
