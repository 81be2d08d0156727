import { TextVectorization } from '../../text/text-vectorization.js';
import { isJsonObject } from '../../utils/json-guard.js';

/** A preprocessing object a model file can carry: a class name and a JSON config that rebuilds it. */
export interface PreprocessingClass {
  readonly className: string;
  /** Rebuilds the preprocessing object from its saved config. */
  fromConfig(config: Record<string, unknown>): unknown;
}

const classes = new Map<string, PreprocessingClass>([
  [TextVectorization.className, TextVectorization],
]);

/** Makes a preprocessing class (anything with getConfig/fromConfig) loadable from model files. */
export function registerPreprocessing(cls: PreprocessingClass): void {
  classes.set(cls.className, cls);
}

/** Serializes named preprocessing objects (TextVectorization with its vocabulary, ...). */
export function encodePreprocessing(
  items: Readonly<Record<string, { getConfig(): Record<string, unknown> }>>,
): Record<string, { className: string; config: Record<string, unknown> }> {
  const out: Record<string, { className: string; config: Record<string, unknown> }> = {};
  for (const [key, item] of Object.entries(items)) {
    const className = (item.constructor as Partial<PreprocessingClass>).className;
    if (!className || classes.get(className) !== (item.constructor as unknown)) {
      throw new Error(
        `save: preprocessing '${key}' is not of a registered class; call registerPreprocessing(cls) first`,
      );
    }
    out[key] = { className, config: item.getConfig() };
  }
  return out;
}

/** Rebuilds preprocessing objects from their serialized form; errors name the file and the entry. */
export function decodePreprocessing(value: unknown, source: string): Record<string, unknown> {
  if (!isJsonObject(value))
    throw new Error(`${source}: metadata 'preprocessing' must be an object`);
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (
      !isJsonObject(entry) ||
      typeof entry['className'] !== 'string' ||
      !isJsonObject(entry['config'])
    ) {
      throw new Error(`${source}: preprocessing '${key}' must be {className, config}`);
    }
    const cls = classes.get(entry['className']);
    if (!cls) {
      throw new Error(
        `${source}: preprocessing '${key}' has unknown class '${entry['className']}'; registered: ${[...classes.keys()].join(', ')}`,
      );
    }
    try {
      out[key] = cls.fromConfig(entry['config']);
    } catch (e) {
      throw new Error(`${source}: cannot rebuild preprocessing '${key}': ${(e as Error).message}`);
    }
  }
  return out;
}
