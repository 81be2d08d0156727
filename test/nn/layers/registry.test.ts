import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallArgs, LayerInput } from '../../../src/nn/engine/layer.js';
import {
  Dense,
  deserializeLayer,
  getLayerClass,
  registeredLayerNames,
  registerLayer,
  serializeLayer,
} from '../../../src/nn/layers/index.js';

describe('layer registry', () => {
  it('registers every built-in layer under its className', () => {
    for (const name of [
      'Activation',
      'AveragePooling2D',
      'BatchNormalization',
      'Conv1D',
      'Conv2D',
      'Dense',
      'Dropout',
      'Flatten',
      'GlobalAveragePooling2D',
      'GlobalMaxPooling2D',
      'MaxPooling2D',
      'Reshape',
    ]) {
      assert.equal(getLayerClass(name)?.className, name, name);
    }
    assert.ok(registeredLayerNames().includes('Dense'));
  });

  it('round-trips a layer through {className, config}', () => {
    const layer = new Dense(3, { activation: 'relu', name: 'out', inputShape: [4] });
    const s = serializeLayer(layer);
    assert.equal(s.className, 'Dense');
    const back = deserializeLayer(JSON.parse(JSON.stringify(s)));
    assert.ok(back instanceof Dense);
    assert.deepEqual(back.getConfig(), layer.getConfig());
  });

  it('rejects unknown classes and conflicting registrations', () => {
    assert.throws(
      () => deserializeLayer({ className: 'Foo', config: {} }),
      /^RangeError: Unknown layer class 'Foo'; registered classes: .*Dense/,
    );
    class Dense2 extends Dense {}
    assert.throws(
      () => registerLayer(Dense2),
      /registerLayer: another class is already registered as 'Dense'/,
    );
  });

  it('accepts custom layers with their own className', () => {
    class Twice extends Dense {
      static override className = 'Twice';
      override call(inputs: LayerInput, args: CallArgs = {}) {
        return super.call(inputs, args);
      }
      static override fromConfig(config: Record<string, unknown>): Twice {
        return new Twice(config['units'] as number, config);
      }
    }
    registerLayer(Twice);
    assert.ok(deserializeLayer(serializeLayer(new Twice(2))) instanceof Twice);
  });
});
