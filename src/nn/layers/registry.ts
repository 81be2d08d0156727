import type { Layer } from '../engine/layer.js';
import { isSerializedObject, type SerializedObject } from '../engine/serialization.js';

/** A layer class as the registry sees it: its serialization key and how to rebuild it. */
export interface LayerClass {
  readonly className: string;
  /** Rebuilds a layer of this class from its `getConfig()` output. */
  fromConfig(config: Record<string, unknown>): Layer;
}

const classes = new Map<string, LayerClass>();

/**
 * Makes a layer class deserializable under its `className`. Each layer module registers itself;
 * a second class under the same name is an error (a subclass must set its own `className`).
 */
export function registerLayer(cls: LayerClass): void {
  const existing = classes.get(cls.className);
  if (existing && existing !== cls) {
    throw new Error(
      `registerLayer: another class is already registered as '${cls.className}'; give the new class its own static className`,
    );
  }
  classes.set(cls.className, cls);
}

/** The registered class called `name`, or undefined. */
export function getLayerClass(name: string): LayerClass | undefined {
  return classes.get(name);
}

/** Names of all registered layer classes, sorted. */
export function registeredLayerNames(): string[] {
  return [...classes.keys()].sort();
}

/** Keras's serialized layer: `{className: 'Dense', config: {...}}`. */
export function serializeLayer(layer: Layer): SerializedObject {
  return {
    className: (layer.constructor as unknown as LayerClass).className,
    config: layer.getConfig(),
  };
}

/** Rebuilds a layer from `serializeLayer`'s output (weights are not part of it). */
export function deserializeLayer(obj: SerializedObject): Layer {
  if (!isSerializedObject(obj))
    throw new TypeError(
      `deserializeLayer: expected {className, config}, got ${JSON.stringify(obj)}`,
    );
  const cls = classes.get(obj.className);
  if (!cls) {
    throw new RangeError(
      `Unknown layer class '${obj.className}'; registered classes: ${registeredLayerNames().join(', ')}`,
    );
  }
  return cls.fromConfig(obj.config ?? {});
}
