/**
 * `keel train model.ts`: a TypeScript (or JavaScript) module instead of a JSON/YAML config. It
 * exports `model` (a Model, or a function returning one, called after the seed is set) and
 * `config`, the rest of a training config (`data`, and `compile` unless the model is compiled,
 * `fit`, `name`, `seed`, `output`), checked key by key like a config file.
 */
import { existsSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Model } from '../../models/model.js';
import { UsageError } from '../errors.js';
import { CONFIG_KEYS, checkKeys, checkTrainConfig, type TrainConfig } from './config.js';

/** Extensions `keel train` imports as a module rather than reading as a config. */
export const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

export function isModelModule(path: string): boolean {
  return MODULE_EXTENSIONS.includes(extname(path).toLowerCase());
}

export interface ModelModule {
  /** The module's config with `model` standing for the exported model (no layers list). */
  config: TrainConfig;
  /** Builds (or returns) the model; call after seeding. */
  model: () => Model;
  /** True when the module compiles the model itself (no `config.compile`). */
  compiledInModule: boolean;
}

/** Imports a model module and checks its exports: `model` and `config`. */
export async function loadModelModule(path: string): Promise<ModelModule> {
  if (!existsSync(path)) throw new UsageError(`no such model module: ${path}`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`${path}: cannot import the module: ${(e as Error).message}`);
  }
  const exported = mod['model'] ?? (mod['default'] as Record<string, unknown> | undefined)?.model;
  const rawConfig =
    mod['config'] ?? (mod['default'] as Record<string, unknown> | undefined)?.config;
  if (exported === undefined) {
    throw new UsageError(
      `${path}: exports no 'model' (a Model or a function returning one); it exports ${Object.keys(mod).join(', ') || 'nothing'}`,
    );
  }
  if (rawConfig === undefined) {
    throw new UsageError(
      `${path}: exports no 'config' (at least { data: { dataset: 'mnist' } }); it exports ${Object.keys(mod).join(', ')}`,
    );
  }
  checkKeys(
    path,
    '',
    rawConfig,
    CONFIG_KEYS[''].filter((k) => k !== 'model'),
  );
  const raw = rawConfig as Record<string, unknown>;
  // The config checks want a model section: a placeholder layer stands for the exported model.
  const config = checkTrainConfig(
    {
      ...raw,
      model: { layers: [{ className: 'Module' }] },
      compile: raw['compile'] ?? { optimizer: 'module', loss: 'module' },
    },
    path,
  );
  const compiledInModule = raw['compile'] === undefined;
  const model = (): Model => {
    let m: unknown;
    try {
      m = typeof exported === 'function' ? (exported as () => unknown)() : exported;
    } catch (e) {
      throw new UsageError(`${path}: model(): ${(e as Error).message}`);
    }
    if (!(m instanceof Model)) {
      throw new UsageError(
        `${path}: 'model' must be a Keel Model or a function returning one, got ${m === null ? 'null' : typeof m}`,
      );
    }
    if (compiledInModule && !m.compiled) {
      throw new UsageError(
        `${path}: the model is not compiled; compile it in the module or export config.compile`,
      );
    }
    return m;
  };
  return {
    config: { ...config, name: config.name ?? basename(path, extname(path)) },
    model,
    compiledInModule,
  };
}
