/**
 * Objects that configs name but cannot hold (a Lambda layer's function), re-supplied while a model
 * is rebuilt: Keras's custom_objects / CustomObjectScope.
 */
let scope: Readonly<Record<string, unknown>> = {};

/**
 * Runs fn with these objects visible to deserialization (nested scopes add to the outer one):
 * `withCustomObjects({ double }, () => loadModel('m.keel'))`.
 */
export function withCustomObjects<T>(objects: Readonly<Record<string, unknown>>, fn: () => T): T {
  const previous = scope;
  scope = { ...previous, ...objects };
  try {
    return fn();
  } finally {
    scope = previous;
  }
}

/** The object re-supplied under this name in the current `withCustomObjects` scope, if any. */
export function getCustomObject(name: string): unknown {
  return Object.hasOwn(scope, name) ? scope[name] : undefined;
}
