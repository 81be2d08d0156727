/**
 * Keras 3's constructor arguments and defaults (fixtures/keras-signatures.json, read from Keras's
 * sources by fixtures/make_keras_signatures.py) against the configs of Keel's layers made with
 * defaults: every Keras argument is in Keel's config under its camelCase name, with the same
 * default once both spell it the same way (tuples, initializer names, null activation = linear).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Layer } from '../../../src/nn/engine/layer.js';
import * as L from '../../../src/nn/layers/index.js';

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/keras-signatures.json', import.meta.url), 'utf8'),
) as { keras: string; layers: Record<string, Record<string, unknown>> };

/** Each layer with its required arguments only. */
const MAKE: Record<string, () => Layer> = {
  Conv1DTranspose: () => new L.Conv1DTranspose(2, 3),
  Conv2DTranspose: () => new L.Conv2DTranspose(2, 3),
  DepthwiseConv2D: () => new L.DepthwiseConv2D(3),
  SeparableConv1D: () => new L.SeparableConv1D(2, 3),
  SeparableConv2D: () => new L.SeparableConv2D(2, 3),
  Conv3D: () => new L.Conv3D(2, 3),
  MaxPooling3D: () => new L.MaxPooling3D(),
  AveragePooling3D: () => new L.AveragePooling3D(),
  UpSampling1D: () => new L.UpSampling1D(),
  UpSampling2D: () => new L.UpSampling2D(),
  ZeroPadding1D: () => new L.ZeroPadding1D(),
  ZeroPadding2D: () => new L.ZeroPadding2D(),
  Cropping1D: () => new L.Cropping1D(),
  Cropping2D: () => new L.Cropping2D(),
  GroupNormalization: () => new L.GroupNormalization(),
  UnitNormalization: () => new L.UnitNormalization(),
  RepeatVector: () => new L.RepeatVector(3),
  ReLU: () => new L.ReLU(),
  LeakyReLU: () => new L.LeakyReLU(),
  PReLU: () => new L.PReLU(),
  ELU: () => new L.ELU(),
  Softmax: () => new L.Softmax(),
  SpatialDropout1D: () => new L.SpatialDropout1D(0.5),
  SpatialDropout2D: () => new L.SpatialDropout2D(0.5),
  GaussianDropout: () => new L.GaussianDropout(0.5),
  AlphaDropout: () => new L.AlphaDropout(0.5),
  Attention: () => new L.Attention(),
  AdditiveAttention: () => new L.AdditiveAttention(),
  ConvLSTM2D: () => new L.ConvLSTM2D(2, 3),
  RNN: () => new L.RNN(new L.LSTMCell(2)),
  StackedRNNCells: () => new L.StackedRNNCells([new L.LSTMCell(2)]),
  LSTMCell: () => new L.LSTMCell(2),
  GRUCell: () => new L.GRUCell(2),
  SimpleRNNCell: () => new L.SimpleRNNCell(2),
};

/**
 * Keras arguments Keel does not take, each with the reason. Keel has no weight constraints and
 * no activity regularizers on any layer yet; `name`/`dtype` are the base Layer's.
 */
const NOT_TAKEN: Record<string, string[]> = {
  '*': ['name', 'dtype', 'kwargs', 'activity_regularizer'],
  Conv3D: ['groups'],
  ConvLSTM2D: ['stateful'],
};
const notTaken = (layer: string, arg: string): boolean =>
  arg.endsWith('_constraint') ||
  NOT_TAKEN['*']!.includes(arg) ||
  (NOT_TAKEN[layer] ?? []).includes(arg);

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const squash = (s: string) => s.replace(/_/g, '').toLowerCase();

/** Keel's stored value against Keras's default, once both are spelled the same way. */
function sameDefault(
  arg: string,
  keel: unknown,
  keras: unknown,
  config: Record<string, unknown>,
): boolean {
  if (keras === null) {
    if (arg === 'activation') return keel === 'linear' || keel === null;
    if (arg === 'dataFormat') return keel === 'channels_last';
    if (arg === 'strides' && 'poolSize' in config)
      return sameDefault(arg, keel, config['poolSize'], config);
    return keel === null;
  }
  if (typeof keras === 'string' && keel !== null && typeof keel === 'object') {
    const name = (keel as { className?: string }).className;
    return name !== undefined && squash(name) === squash(keras);
  }
  if (typeof keras === 'number' && Array.isArray(keel))
    return keel.flat(2).every((v) => v === keras);
  if (Array.isArray(keras) && Array.isArray(keel) && keras.length === keel.length)
    return keras.every((k, i) =>
      Array.isArray(keel[i]) ? sameDefault(arg, keel[i], k, config) : keel[i] === k,
    );
  return JSON.stringify(keel) === JSON.stringify(keras);
}

describe(`Keras 3 arguments and defaults (keras ${fixture.keras.slice(0, 10)})`, () => {
  for (const [layer, args] of Object.entries(fixture.layers)) {
    it(layer, () => {
      const make = MAKE[layer];
      assert.ok(make, `no constructor for ${layer}`);
      const config = make().getConfig();
      for (const [arg, keras] of Object.entries(args)) {
        if (notTaken(layer, arg)) continue;
        const key = camel(arg);
        assert.ok(key in config, `${layer}: Keras's ${arg} is missing from the config as ${key}`);
        if (keras === '<required>') continue;
        assert.ok(
          sameDefault(key, config[key], keras, config),
          `${layer}: ${key} defaults to ${JSON.stringify(config[key])}, Keras's ${arg} to ${JSON.stringify(keras)}`,
        );
      }
    });
  }
  it('every layer of the fixture is checked and vice versa', () => {
    assert.deepEqual(Object.keys(fixture.layers).sort(), Object.keys(MAKE).sort());
  });
});
