/**
 * The predict-body JSON parser: what JSON.parse gives (blocks aside), the same refusals, and
 * numbers in blocks bit for bit Math.fround(JSON.parse) (float32) or JSON.parse (otherwise),
 * including decimals printed right next to a float32 rounding boundary.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HttpError } from '../../src/serve/protocols/http-error.js';
import {
  MIN_BLOCK,
  NumericBlock,
  parseTensorJson,
} from '../../src/serve/protocols/tensor-json-parser.js';

const exact = { maxDepth: 64, float32: false };
const f32 = { maxDepth: 64, float32: true };

/** Blocks back to nested arrays of their values (as numbers). */
function plain(v: unknown): unknown {
  if (v instanceof NumericBlock) {
    const build = (axis: number, offset: number): unknown => {
      if (axis === v.shape.length) return v.values[offset];
      const stride = v.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: v.shape[axis]! }, (_, i) => build(axis + 1, offset + i * stride));
    };
    return build(0, 0);
  }
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** The first numbers of a block parsed from `n` copies of `literal`. */
function blockOf(literal: string, options = f32): NumericBlock {
  const parsed = parseTensorJson(`[${Array(MIN_BLOCK).fill(literal).join(',')}]`, options);
  assert.ok(parsed instanceof NumericBlock, literal);
  return parsed;
}

describe('parseTensorJson', () => {
  it('gives what JSON.parse gives for any JSON (blocks turned back into arrays)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        assert.deepStrictEqual(plain(parseTensorJson(text, exact)), JSON.parse(text));
      }),
      { numRuns: 500 },
    );
    // Rectangular numeric lists big enough to become blocks, mixed with other values.
    const grid = Array.from({ length: 9 }, (_, i) =>
      Array.from({ length: 8 }, (_, j) => i - j / 3),
    );
    const text = JSON.stringify({ a: grid, b: [grid, grid], c: [[1, 2], [3]], d: 'x', e: null });
    const parsed = parseTensorJson(text, exact) as Record<string, unknown>;
    assert.ok(parsed['a'] instanceof NumericBlock);
    assert.deepEqual((parsed['a'] as NumericBlock).shape, [9, 8]);
    assert.deepEqual((parsed['b'] as NumericBlock).shape, [2, 9, 8]);
    assert.ok(Array.isArray(parsed['c']), 'ragged lists stay arrays');
    assert.deepStrictEqual(plain(parsed), JSON.parse(text));
  });

  it('refuses what JSON.parse refuses (400, invalid JSON), and nesting beyond maxDepth', () => {
    const valid = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v));
    fc.assert(
      fc.property(
        valid,
        fc.nat(),
        fc.constantFrom('', ',', ']', '}', '"', '0', '-', '.', 'e'),
        (text, at, insert) => {
          const i = text.length === 0 ? 0 : at % text.length;
          const mutated = text.slice(0, i) + insert + text.slice(i + 1);
          let expected: unknown;
          try {
            expected = JSON.parse(mutated);
          } catch {
            assert.throws(
              () => parseTensorJson(mutated, exact),
              (e: unknown) =>
                e instanceof HttpError && e.status === 400 && /invalid JSON/.test(e.message),
              mutated,
            );
            return;
          }
          assert.deepStrictEqual(plain(parseTensorJson(mutated, exact)), expected);
        },
      ),
      { numRuns: 2000 },
    );
    for (const bad of [
      '',
      ' ',
      '[1,]',
      '{"a":1,}',
      '01',
      '[01]',
      '[1.]',
      '[.5]',
      '[+1]',
      '[1e]',
      '"\u0001"',
      'nul',
      '[1 2]',
      '{"a" 1}',
      '[NaN]',
      '[Infinity]',
      `[${Array(MIN_BLOCK).fill('1').join(',')},]`,
      `[${Array(MIN_BLOCK).fill('-01').join(',')}]`,
    ])
      assert.throws(() => parseTensorJson(bad, exact), /invalid JSON/, JSON.stringify(bad));
    const deep = `${'['.repeat(65)}1${']'.repeat(65)}`;
    assert.throws(() => parseTensorJson(deep, exact), /nested deeper than 64 levels/);
    assert.deepEqual(
      plain(parseTensorJson(deep.slice(1, -1), exact)),
      JSON.parse(deep.slice(1, -1)),
    );
    const wide = `[${Array(MIN_BLOCK)
      .fill(`${'['.repeat(70)}1${']'.repeat(70)}`)
      .join(',')}]`;
    assert.throws(() => parseTensorJson(wide, exact), /nested deeper than 64 levels/);
  });

  it('keeps "__proto__" an own property, as JSON.parse does', () => {
    const parsed = parseTensorJson('{"__proto__": {"polluted": 1}}', exact) as Record<
      string,
      unknown
    >;
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
    assert.deepEqual(Object.keys(parsed), ['__proto__']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('converts block numbers bit for bit: exact doubles, or Math.fround of them for float32', () => {
    const bits = new Float32Array(2);
    const u = new Uint32Array(bits.buffer);
    const literals = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
      fc.float({ noNaN: true, noDefaultInfinity: true }).map(String),
      fc
        .tuple(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.integer({ min: 1, max: 21 }))
        .map(([x, p]) => x.toPrecision(p)),
      // Printed right at, just below or just above the midpoint of two neighbouring floats: the
      // cases a double that is a few ulps off would round the wrong way.
      fc
        .tuple(
          fc.integer({ min: 0x0d000000, max: 0x5e000000 }),
          fc.integer({ min: 16, max: 21 }),
          fc.integer({ min: -2, max: 2 }),
        )
        .map(([b, p, nudge]) => {
          u[0] = b;
          u[1] = b + 1;
          const text = ((bits[0]! + bits[1]!) / 2).toPrecision(p);
          if (nudge === 0 || text.includes('e')) return text;
          const last = Number(text.at(-1));
          return text.slice(0, -1) + String((last + 10 + nudge) % 10);
        }),
      fc.constantFrom(
        '0',
        '-0',
        '0.0',
        '-0.000',
        '1e400',
        '-1e400',
        '3.5e38',
        '3.4028234663852886e38',
        '3.4028235677973366e38',
        '1e-50',
        '123456789012345678901234567890',
        '0.1234567890123456789012345',
        '5e-324',
      ),
    );
    fc.assert(
      fc.property(literals, fc.boolean(), (literal, negative) => {
        const text = negative && !literal.startsWith('-') ? `-${literal}` : literal;
        const want = JSON.parse(text) as number;
        assert.ok(Object.is(blockOf(text, exact).values[0], want), `${text} (exact)`);
        const block = blockOf(text);
        if (!Number.isFinite(want) || Math.abs(want) > 3.4028234663852886e38) {
          assert.equal(block.bad, want, `${text}: kept as the bad value`);
        } else {
          assert.equal(block.bad, undefined);
          assert.ok(Object.is(block.values[0], Math.fround(want)), `${text} (float32)`);
        }
      }),
      { numRuns: 20_000 },
    );
  });
});
