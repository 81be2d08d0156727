/** Limits applied to JSON read from files before `JSON.parse` sees it. */
export interface JsonLimits {
  /** Most characters accepted (default 100 MB). */
  maxLength?: number;
  /** Deepest nesting of arrays and objects accepted (default 128). */
  maxDepth?: number;
  /** Reject an object that names a key twice (JSON.parse keeps the last one silently). */
  uniqueKeys?: boolean;
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
  let stringStart = 0;
  // With uniqueKeys: per open container, the keys seen (null for an array).
  const frames: (Set<string> | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) {
        inString = false;
        const keys = frames[frames.length - 1];
        if (keys) checkKey(text, stringStart, i, keys, what);
      }
    } else if (c === 34) {
      inString = true;
      stringStart = i;
    } else if (c === 123 || c === 91) {
      if (++depth > maxDepth)
        throw new Error(`${what}: JSON nested deeper than ${maxDepth} levels`);
      if (limits.uniqueKeys) frames.push(c === 123 ? new Set() : null);
    } else if (c === 125 || c === 93) {
      depth--;
      frames.pop();
    }
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

/** Records the string at text[start..end] if it is a key (followed by ':'); a repeat throws. */
function checkKey(text: string, start: number, end: number, keys: Set<string>, what: string): void {
  let j = end + 1;
  while (j < text.length && /\s/.test(text[j]!)) j++;
  if (text[j] !== ':') return;
  let key: string;
  try {
    key = JSON.parse(text.slice(start, end + 1)) as string;
  } catch {
    return; // malformed: JSON.parse reports it below
  }
  if (keys.has(key)) throw new Error(`${what}: duplicate key ${JSON.stringify(key)} in an object`);
  keys.add(key);
}
