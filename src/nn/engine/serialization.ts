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

/** 'glorot_uniform' → 'glorotUniform' (a type: the camelCase spelling of a snake_case name). */
export type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/**
 * The spellings of a snake_case Keras name that lookups accept, as a type: 'glorot_uniform',
 * 'glorotUniform' and 'GlorotUniform'. Name unions built from it let TypeScript reject a misspelled
 * name while offering every known one for completion.
 */
export type Spellings<S extends string> = S | CamelCase<S> | Capitalize<CamelCase<S>>;

/**
 * The lookup key of a Keras name in any spelling: 'glorot_uniform', 'glorotUniform' and
 * 'GlorotUniform' all give 'glorotuniform'.
 */
export function lookupKey(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

/** Makes an object of some kind (an initializer, a regularizer) from a serialized config. */
export type Factory<T> = (config: Record<string, unknown>) => T;

/**
 * Factories by Keras name in any spelling, resolving what a layer argument may be: a name, a
 * serialized `{className, config}`, or a function, returned as is. `kind` names the objects in
 * errors ('initializer') and `caller` the function that resolves them ('getInitializer').
 * `const r = new FactoryRegistry<WeightInitializer>('initializer', 'getInitializer')`
 */
export class FactoryRegistry<T extends (...args: never[]) => unknown> {
  /** Canonical names (what errors list) and the factory each builds from a config, by lookup key. */
  private readonly byKey = new Map<string, { name: string; make: Factory<T> }>();

  constructor(
    private readonly kind: string,
    private readonly caller: string,
  ) {}

  /** Makes `name` (any spelling) and its aliases resolve to objects built by `make`. */
  register(name: string, make: Factory<T>, aliases: string[] = []): void {
    for (const key of [name, ...aliases]) this.byKey.set(lookupKey(key), { name, make });
  }

  /** The object an identifier names; a TypeError for other values, a RangeError for unknown names. */
  resolve(identifier: string | SerializedObject | T): T {
    if (typeof identifier === 'function') return identifier;
    const [name, config] =
      typeof identifier === 'string'
        ? [identifier, {}]
        : isSerializedObject(identifier)
          ? [identifier.className, identifier.config ?? {}]
          : [null, {}];
    if (name === null) {
      throw new TypeError(
        `${this.caller}: expected a name, a function or {className, config}, got ${JSON.stringify(identifier)}`,
      );
    }
    const entry = this.byKey.get(lookupKey(name));
    if (!entry) {
      const valid = [...new Set([...this.byKey.values()].map((e) => e.name))].join(', ');
      throw new RangeError(`Unknown ${this.kind} '${name}'; valid names: ${valid}`);
    }
    return entry.make(config);
  }
}
