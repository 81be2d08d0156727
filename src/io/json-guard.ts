/** Limits applied to JSON read from files before `JSON.parse` sees it. */
export interface JsonLimits {
  /** Most characters accepted (default 100 MB). */
  maxLength?: number;
  /** Deepest nesting of arrays and objects accepted (default 128). */
  maxDepth?: number;
}

/**
 * Parses JSON from an untrusted file after checking its length and nesting depth, so a hostile
 * file cannot exhaust the stack or memory; errors name `what` is being read.
 * `parseJsonGuarded(text, 'model.keel header')`
 */
export function parseJsonGuarded(text: string, what: string, limits: JsonLimits = {}): unknown {
  const maxLength = limits.maxLength ?? 100_000_000;
  const maxDepth = limits.maxDepth ?? 128;
  if (text.length > maxLength) {
    throw new Error(`${what}: JSON of ${text.length} characters exceeds the limit of ${maxLength}`);
  }
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > maxDepth)
        throw new Error(`${what}: JSON nested deeper than ${maxDepth} levels`);
    } else if (c === 125 || c === 93) depth--;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${what}: invalid JSON (${(e as Error).message})`);
  }
}

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
