/** Keras's serialized form of an object built from a class and a config (initializers, layers, ...). */
export interface SerializedObject {
  className: string;
  config: Record<string, unknown>;
}

/** True for a `{className, config}` object. */
export function isSerializedObject(value: unknown): value is SerializedObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { className?: unknown }).className === 'string'
  );
}

/**
 * The lookup key of a Keras name in any spelling: 'glorot_uniform', 'glorotUniform' and
 * 'GlorotUniform' all give 'glorotuniform'.
 */
export function lookupKey(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}
