/**
 * The 64-bit string hashes of Keras's Hashing layer, on UTF-8 bytes: FarmHash Fingerprint64
 * (farmhashna::Hash64, what tf.strings.to_hash_bucket_fast uses) and SipHash-2-4 with a 128-bit
 * key (tf.strings.to_hash_bucket_strong, used when a salt is given). BigInt arithmetic mod 2^64.
 */
const M = (1n << 64n) - 1n;
const K0 = 0xc3a5c85c97cb3127n;
const K1 = 0xb492b66fbe98f273n;
const K2 = 0x9ae16a3b2f90404fn;

const mul = (a: bigint, b: bigint) => (a * b) & M;
const plus = (a: bigint, b: bigint) => (a + b) & M;
const rot = (v: bigint, s: bigint) => (s === 0n ? v : ((v >> s) | (v << (64n - s))) & M);
const shiftMix = (v: bigint) => v ^ (v >> 47n);

function fetch(s: Uint8Array, at: number, bytes: number): bigint {
  let v = 0n;
  for (let i = bytes - 1; i >= 0; i--) v = (v << 8n) | BigInt(s[at + i]!);
  return v;
}

function hashLen16(u: bigint, v: bigint, m: bigint): bigint {
  let a = mul(u ^ v, m);
  a ^= a >> 47n;
  let b = mul(v ^ a, m);
  b ^= b >> 47n;
  return mul(b, m);
}

function hashLen0to16(s: Uint8Array): bigint {
  const len = s.length;
  const n = BigInt(len);
  if (len >= 8) {
    const m = plus(K2, n * 2n);
    const a = plus(fetch(s, 0, 8), K2);
    const b = fetch(s, len - 8, 8);
    const c = plus(mul(rot(b, 37n), m), a);
    const d = mul(plus(rot(a, 25n), b), m);
    return hashLen16(c, d, m);
  }
  if (len >= 4) {
    const m = plus(K2, n * 2n);
    const a = fetch(s, 0, 4);
    return hashLen16(plus(n, a << 3n), fetch(s, len - 4, 4), m);
  }
  if (len > 0) {
    const y = BigInt(s[0]!) + (BigInt(s[len >> 1]!) << 8n);
    const z = n + (BigInt(s[len - 1]!) << 2n);
    return mul(shiftMix(mul(y, K2) ^ mul(z, K0)), K2);
  }
  return K2;
}

function hashLen17to32(s: Uint8Array): bigint {
  const len = s.length;
  const m = plus(K2, BigInt(len) * 2n);
  const a = mul(fetch(s, 0, 8), K1);
  const b = fetch(s, 8, 8);
  const c = mul(fetch(s, len - 8, 8), m);
  const d = mul(fetch(s, len - 16, 8), K2);
  return hashLen16(
    plus(plus(rot(plus(a, b), 43n), rot(c, 30n)), d),
    plus(plus(a, rot(plus(b, K2), 18n)), c),
    m,
  );
}

function hashLen33to64(s: Uint8Array): bigint {
  const len = s.length;
  const m = plus(K2, BigInt(len) * 2n);
  const a = mul(fetch(s, 0, 8), K2);
  const b = fetch(s, 8, 8);
  const c = mul(fetch(s, len - 8, 8), m);
  const d = mul(fetch(s, len - 16, 8), K2);
  const y = plus(plus(rot(plus(a, b), 43n), rot(c, 30n)), d);
  const z = hashLen16(y, plus(plus(a, rot(plus(b, K2), 18n)), c), m);
  const e = mul(fetch(s, 16, 8), m);
  const f = fetch(s, 24, 8);
  const g = mul(plus(y, fetch(s, len - 32, 8)), m);
  const h = mul(plus(z, fetch(s, len - 24, 8)), m);
  return hashLen16(
    plus(plus(rot(plus(e, f), 43n), rot(g, 30n)), h),
    plus(plus(e, rot(plus(f, a), 18n)), g),
    m,
  );
}

/**
 * FarmHash Fingerprint64 of bytes of up to 64 (the lengths of numbers and short tokens); longer
 * input is an error. `fingerprint64(new TextEncoder().encode('A'))`
 */
export function fingerprint64(s: Uint8Array): bigint {
  if (s.length <= 16) return hashLen0to16(s);
  if (s.length <= 32) return hashLen17to32(s);
  if (s.length <= 64) return hashLen33to64(s);
  throw new RangeError(
    `fingerprint64: inputs longer than 64 bytes are not supported, got ${s.length}`,
  );
}

/** SipHash-2-4 of bytes under the key (k0, k1), as TensorFlow's to_hash_bucket_strong. */
export function sipHash24(s: Uint8Array, k0: bigint, k1: bigint): bigint {
  let v0 = k0 ^ 0x736f6d6570736575n;
  let v1 = k1 ^ 0x646f72616e646f6dn;
  let v2 = k0 ^ 0x6c7967656e657261n;
  let v3 = k1 ^ 0x7465646279746573n;
  const round = () => {
    v0 = plus(v0, v1);
    v1 = rot(v1, 51n) ^ v0; // rotl 13
    v0 = rot(v0, 32n);
    v2 = plus(v2, v3);
    v3 = rot(v3, 48n) ^ v2; // rotl 16
    v0 = plus(v0, v3);
    v3 = rot(v3, 43n) ^ v0; // rotl 21
    v2 = plus(v2, v1);
    v1 = rot(v1, 47n) ^ v2; // rotl 17
    v2 = rot(v2, 32n);
  };
  const full = s.length - (s.length % 8);
  const absorb = (m: bigint) => {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  };
  for (let i = 0; i < full; i += 8) absorb(fetch(s, i, 8));
  let last = BigInt(s.length & 0xff) << 56n;
  for (let i = full; i < s.length; i++) last |= BigInt(s[i]!) << BigInt(8 * (i - full));
  absorb(last);
  v2 ^= 0xffn;
  for (let i = 0; i < 4; i++) round();
  return v0 ^ v1 ^ v2 ^ v3;
}
