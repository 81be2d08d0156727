/**
 * The HDF5 weights of a `.keras` file (`model.weights.h5`), as Keras 3's H5IOStore lays them out:
 * one group per saveable object, named by its attribute path (`layers/dense_1`,
 * `layers/lstm/cell`, `optimizer`), holding a `vars` group whose datasets `0`, `1`, … are the
 * object's variables in creation order; the root's own variables sit in `/vars`.
 * HDF5 is read and written with h5wasm, an optional peer dependency loaded on first use; h5wasm
 * works on real files, so the bytes pass through a private temporary folder.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DTYPES, type DType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { readFileSafe } from '../../utils/safe-file.js';

type H5Module = typeof import('h5wasm/node').default;
type H5File = InstanceType<H5Module['File']>;
type H5Group = InstanceType<H5Module['Group']>;

let loaded: Promise<H5Module> | undefined;

/** h5wasm, imported once; a missing package is an error that says how to install it. */
export function loadH5wasm(what: string): Promise<H5Module> {
  loaded ??= (async () => {
    let mod: { default: H5Module };
    try {
      mod = await import('h5wasm/node');
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
    await mod.default.ready;
    return mod.default;
  })();
  return loaded;
}

/** Runs `body` with a path in a fresh private temporary folder, removed afterwards. */
async function withTempFile<T>(body: (path: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-keras-'));
  try {
    return await body(join(dir, 'model.weights.h5'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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
  const h5 = await loadH5wasm(what);
  return withTempFile((path) => {
    const file = new h5.File(path, 'w');
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
    } finally {
      file.close();
    }
    return readFileSafe(path, { what });
  });
}

/** The weights file opened for reading; `close()` frees it and its temporary copy. */
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

/** Opens the bytes of a `model.weights.h5`; nothing is read from it until asked for. */
export async function openH5Weights(bytes: Uint8Array, source: string): Promise<H5WeightsReader> {
  const h5 = await loadH5wasm(source);
  const dir = mkdtempSync(join(tmpdir(), 'keel-keras-'));
  const path = join(dir, 'model.weights.h5');
  let file: H5File;
  try {
    writeFileSync(path, bytes, { mode: 0o600 });
    file = new h5.File(path, 'r');
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `${source}: model.weights.h5 is not a readable HDF5 file: ${(e as Error).message}`,
    );
  }
  if (!file.file_id || file.file_id < 0n) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${source}: model.weights.h5 is not a readable HDF5 file`);
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
      return vars instanceof h5.Group ? vars.keys() : [];
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
      const raw = d.value as ArrayLike<number | bigint> | number | bigint;
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
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
