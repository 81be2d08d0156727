/**
 * A build function named by module and export, `{ module: './space.ts', export: 'build' }`, so
 * that worker processes (and `keel tune` configs) can load it: a closure cannot cross processes.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BuildFn } from './trial-runner.js';

/** A model-building function named by its module and export, so worker processes can load it. */
export interface BuildRef {
  /** A path to a .ts/.js/.mjs module (relative paths are from the current directory). */
  module: string;
  /** The exported function (default 'build'). */
  export?: string;
}

export function isBuildRef(v: unknown): v is BuildRef {
  return typeof v === 'object' && v !== null && typeof (v as BuildRef).module === 'string';
}

/** The absolute form of a reference, so it means the same in every process. */
export function absoluteRef(ref: BuildRef): BuildRef {
  return {
    module: isAbsolute(ref.module) ? ref.module : resolve(ref.module),
    export: ref.export ?? 'build',
  };
}

/** Imports the module and returns its build function, or explains what it found instead. */
export function loadBuild(ref: BuildRef): Promise<BuildFn> {
  return loadFunction<BuildFn>(ref);
}

/** Imports a module and returns its exported function `ref.export` (default 'build'). */
export async function loadFunction<F>(ref: BuildRef): Promise<F> {
  const { module, export: name = 'build' } = absoluteRef(ref);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(module).href)) as Record<string, unknown>;
  } catch (e) {
    throw new Error(
      `Tuner: cannot import the build module ${module}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const fn = mod[name];
  if (typeof fn !== 'function')
    throw new TypeError(
      `Tuner: ${module} has no function export '${name}' (exports: ${Object.keys(mod).join(', ') || 'none'})`,
    );
  return fn as F;
}
