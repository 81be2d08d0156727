/**
 * The zip container of a Keras 3 `.keras` file: `config.json`, `metadata.json` and
 * `model.weights.h5` (an `assets/` folder may follow; Keel neither reads nor writes assets).
 * Reading treats the archive as hostile: every entry name is checked (no '..', no absolute path,
 * no backslash), only the entries Keel reads are inflated, and each one's declared size is
 * checked against a limit before any memory is taken for it.
 */
import { type Unzipped, unzipSync, zipSync } from 'fflate';

/** The entries of a `.keras` archive, as Keras's saving_lib names them. */
export const KERAS_ENTRIES = {
  config: 'config.json',
  metadata: 'metadata.json',
  weights: 'model.weights.h5',
} as const;

/** Limits on what reading an archive may inflate, in bytes. */
export interface KerasZipLimits {
  /** The largest `config.json` or `metadata.json` (default 64 MiB). */
  maxJsonBytes?: number;
  /** The largest `model.weights.h5` (default 2 GiB). */
  maxWeightsBytes?: number;
}

/** The three entries of a `.keras` archive; the weights are absent for a model without any. */
export interface KerasZipContents {
  config: Uint8Array;
  metadata: Uint8Array | undefined;
  weights: Uint8Array | undefined;
}

/** Refuses an entry name that could point outside the archive's root when extracted. */
function checkEntryName(name: string, source: string): void {
  const parts = name.split('/');
  if (
    name.startsWith('/') ||
    name.includes('\\') ||
    name.includes('\0') ||
    /^[A-Za-z]:/.test(name) ||
    parts.includes('..')
  ) {
    throw new Error(
      `${source}: the archive holds an entry named ${JSON.stringify(name.slice(0, 200))}, a path outside the archive's root; refusing the file`,
    );
  }
}

/**
 * Reads the entries Keel needs from the bytes of a `.keras` archive.
 * `readKerasZip(readFileSync('m.keras'), 'm.keras').config` is config.json's bytes.
 */
export function readKerasZip(
  bytes: Uint8Array,
  source: string,
  limits: KerasZipLimits = {},
): KerasZipContents {
  const maxJson = limits.maxJsonBytes ?? 64 * 1024 * 1024;
  const maxWeights = limits.maxWeightsBytes ?? 2 * 1024 * 1024 * 1024;
  const declared = new Map<string, number>();
  let files: Unzipped;
  try {
    files = unzipSync(bytes, {
      filter: (file) => {
        checkEntryName(file.name, source);
        const wanted = Object.values(KERAS_ENTRIES) as string[];
        if (!wanted.includes(file.name)) return false;
        if (declared.has(file.name)) {
          throw new Error(`${source}: the archive holds '${file.name}' twice`);
        }
        const limit = file.name === KERAS_ENTRIES.weights ? maxWeights : maxJson;
        if (!(file.originalSize <= limit)) {
          throw new Error(
            `${source}: '${file.name}' declares ${file.originalSize} bytes, more than the limit of ${limit}`,
          );
        }
        if (file.compression !== 0 && file.compression !== 8) {
          throw new Error(
            `${source}: '${file.name}' uses zip compression method ${file.compression}; only stored (0) and deflate (8) are read`,
          );
        }
        declared.set(file.name, file.originalSize);
        return true;
      },
    });
  } catch (e) {
    const message = (e as Error).message;
    if (message.startsWith(source)) throw e;
    throw new Error(`${source}: not a readable .keras (zip) archive: ${message}`);
  }
  for (const [name, size] of declared) {
    const got = files[name]?.byteLength;
    if (got !== size) {
      throw new Error(`${source}: '${name}' declares ${size} bytes but inflates to ${got}`);
    }
  }
  const config = files[KERAS_ENTRIES.config];
  if (!config) {
    throw new Error(
      `${source}: the archive has no ${KERAS_ENTRIES.config}; not a Keras 3 .keras file`,
    );
  }
  return {
    config,
    metadata: files[KERAS_ENTRIES.metadata],
    weights: files[KERAS_ENTRIES.weights],
  };
}

/** The bytes of a `.keras` archive holding the given entries (JSON stored deflated, weights too). */
export function writeKerasZip(contents: {
  config: string;
  metadata: string;
  weights: Uint8Array;
}): Uint8Array {
  const enc = new TextEncoder();
  return zipSync(
    {
      [KERAS_ENTRIES.metadata]: enc.encode(contents.metadata),
      [KERAS_ENTRIES.config]: enc.encode(contents.config),
      [KERAS_ENTRIES.weights]: contents.weights,
    },
    { level: 6, mtime: new Date('2026-01-01T00:00:00Z') },
  );
}
