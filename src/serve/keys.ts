/**
 * API keys: 32 random bytes shown once ('keel_' + base64url), stored only as their SHA-256 hash.
 * A key has 256 bits of entropy, so a fast unsalted hash is enough (no dictionary to attack),
 * and lookups by hash stay one indexed query.
 */
import * as crypto from 'node:crypto';
import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'keel_';

/** A new API key, e.g. 'keel_3q2-…' (48 characters). */
export function generateApiKey(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

/** crypto.hash (Node >= 20.12): a one-shot digest, a few times quicker than a Hash object. */
const oneShot = (crypto as { hash?: typeof crypto.hash }).hash;

/** The stored form of a key: hex SHA-256 (hashed on every billable request). */
export function hashApiKey(key: string): string {
  return oneShot
    ? oneShot('sha256', key, 'hex')
    : createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The part of a key safe to show in listings and logs ('keel_3q2-AbC'). */
export function keyPrefix(key: string): string {
  return key.slice(0, PREFIX.length + 7);
}

/** True when `key` has the shape of a Keel key (checked before hashing untrusted headers). */
export function looksLikeApiKey(key: string): boolean {
  return key.length === PREFIX.length + 43 && key.startsWith(PREFIX) && /^[\w-]+$/.test(key);
}
