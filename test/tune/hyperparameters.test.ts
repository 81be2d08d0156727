import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/random/rng.js';
import { HyperParameters } from '../../src/tune/hyperparameters.js';
import { decode, encode, mergeSpace, sampleUniform } from '../../src/tune/space.js';

describe('HyperParameters', () => {
  it('returns defaults, records the space, and takes given values', () => {
    const hp = new HyperParameters();
    assert.equal(hp.int('units', 8, 64, { step: 8 }), 8);
    assert.equal(hp.float('lr', 1e-4, 1e-2, { sampling: 'log' }), 1e-4);
    assert.equal(hp.choice('kernel', [3, 5]), 3);
    assert.equal(hp.boolean('bn'), false);
    assert.equal(hp.fixed('optimizer', 'adam'), 'adam');
    assert.deepEqual(
      hp.space.map((s) => s.type),
      ['int', 'float', 'choice', 'boolean', 'fixed'],
    );
    const given = new HyperParameters({ units: 32, kernel: 5 });
    assert.equal(given.int('units', 8, 64, { step: 8 }), 32);
    assert.equal(given.choice('kernel', [3, 5]), 5);
    assert.deepEqual(given.values, { units: 32, kernel: 5 });
  });

  it('defines conditional parameters only in their branch', () => {
    const run = (model: string) => {
      const hp = new HyperParameters({ model });
      hp.choice('model', ['cnn', 'mlp']);
      hp.conditionalScope('model', ['cnn'], () => hp.int('filters', 8, 64));
      hp.conditionalScope('model', ['mlp'], () => hp.int('units', 16, 256));
      return hp;
    };
    assert.deepEqual(Object.keys(run('cnn').values), ['model', 'filters']);
    assert.deepEqual(Object.keys(run('mlp').values), ['model', 'units']);
    assert.deepEqual(run('cnn').space[1]!.conditions, [{ parent: 'model', values: ['cnn'] }]);
    assert.throws(
      () => new HyperParameters().conditionalScope('nope', [1], () => 0),
      /'nope': conditionalScope names a parameter that is not defined/,
    );
  });

  it('rejects a parameter redefined with a different range, in a trial and across trials', () => {
    const hp = new HyperParameters();
    hp.int('units', 8, 64);
    assert.equal(hp.int('units', 8, 64), 8); // the same definition is fine
    assert.throws(
      () => hp.int('units', 8, 128),
      /HyperParameters 'units': redefined as int \[8, 128\].*defined as int \[8, 64\]/,
    );
    const other = new HyperParameters();
    other.float('units', 0, 1);
    assert.throws(
      () => mergeSpace([...hp.space], other.space),
      /'units': redefined as float \[0, 1\].*earlier trial defined it as int \[8, 64\]/,
    );
  });

  it('rejects bad definitions and out-of-range values with the parameter named', () => {
    const hp = new HyperParameters({ units: 100 });
    assert.throws(() => hp.int('units', 8, 64), /'units': value 100 is outside int \[8, 64\]/);
    assert.throws(() => hp.int('a', 5, 1), /'a': int needs integers min <= max/);
    assert.throws(
      () => hp.float('b', 0, 1, { sampling: 'log' }),
      /'b': log sampling needs min > 0/,
    );
    assert.throws(() => hp.choice('c', []), /'c': choice needs at least one value/);
    assert.throws(() => hp.choice('d', [1, 'x']), /'d': choice values must share one type/);
    assert.throws(() => hp.get('zzz'), /'zzz': not defined in this trial/);
  });

  it('draws from the sampler for parameters without a value', () => {
    const rng = new Rng(1);
    const hp = new HyperParameters({}, (spec) => sampleUniform(spec, rng));
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++)
      seen.add(new HyperParameters({}, (spec) => sampleUniform(spec, rng)).int('k', 1, 4));
    assert.deepEqual([...seen].sort(), [1, 2, 3, 4]);
    const lr = hp.float('lr', 1e-4, 1e-2, { sampling: 'log' });
    assert.ok(lr >= 1e-4 && lr <= 1e-2);
  });
});

describe('search space encoding', () => {
  it('log sampling is uniform in log space; encode inverts decode', () => {
    const hp = new HyperParameters();
    hp.float('lr', 1e-4, 1e-2, { sampling: 'log' });
    hp.int('filters', 8, 64, { step: 8 });
    hp.choice('kernel', [3, 5]);
    const [lr, filters, kernel] = hp.space as [never, never, never];
    const rng = new Rng(2);
    let below = 0;
    for (let i = 0; i < 2000; i++) if ((sampleUniform(lr, rng) as number) < 1e-3) below++;
    assert.ok(
      Math.abs(below / 2000 - 0.5) < 0.05,
      `half the draws below 1e-3, got ${below / 2000}`,
    );
    assert.ok(Math.abs((decode(lr, encode(lr, 3e-3)) as number) - 3e-3) < 1e-12);
    for (const v of [8, 16, 64]) assert.equal(decode(filters, encode(filters, v)), v);
    for (let u = 0; u <= 1; u += 0.01) assert.equal(((decode(filters, u) as number) - 8) % 8, 0);
    assert.equal(decode(kernel, encode(kernel, 5)), 5);
  });
});
