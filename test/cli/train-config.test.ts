import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dataFromOptions } from '../../src/cli/data-options.js';
import { UsageError } from '../../src/cli/errors.js';
import { buildSequential } from '../../src/cli/train-config/build-model.js';
import { checkTrainConfig } from '../../src/cli/train-config/config.js';
import { closestName, editDistance } from '../../src/utils/suggest.js';
import '../../src/backends/index.js';

const base = () => ({
  model: { layers: [{ className: 'Dense', config: { units: 2, inputShape: [3] } }] },
  data: { dataset: 'mnist' },
  compile: { optimizer: 'adam', loss: 'mse' },
});

describe('training configs', () => {
  it('suggests the closest known name', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(closestName('epoch', ['epochs', 'batchSize']), 'epochs');
    assert.equal(closestName('BatchSize', ['epochs', 'batchSize']), 'batchSize');
    assert.equal(closestName('zzzzzz', ['epochs', 'batchSize']), undefined);
  });

  it('checks sections, keys, layer classes and layer options', () => {
    assert.doesNotThrow(() => checkTrainConfig(base(), 'c.json'));
    assert.throws(
      () => checkTrainConfig({ ...base(), modle: {} }, 'c.json'),
      (e: Error) =>
        e instanceof UsageError && /unknown key 'modle' \(did you mean 'model'\?\)/.test(e.message),
    );
    const { data: _d, ...noData } = base();
    assert.throws(() => checkTrainConfig(noData, 'c.json'), /needs a 'data' section/);
    assert.throws(
      () => checkTrainConfig({ ...base(), data: { dataset: 'mnist', csv: 'x.csv' } }, 'c.json'),
      /exactly one of 'dataset', 'csv' or 'images', got dataset and csv/,
    );
    assert.throws(
      () => buildSequential([{ className: 'Dence', config: { units: 2 } }], 'c.json'),
      /unknown layer class 'Dence' \(did you mean 'Dense'\?\)/,
    );
    assert.throws(
      () => buildSequential([{ className: 'Dense', config: { units: 2, unit: 3 } }], 'c.json'),
      /Dense has no option 'unit' \(did you mean 'units'\?\)/,
    );
    const model = buildSequential(base().model.layers, 'c.json');
    assert.equal(model.layers.length, 1);
  });

  it('needs exactly one data source, and knows its datasets', async () => {
    await assert.rejects(dataFromOptions({}, 'mse', true), /exactly one of --config, --dataset/);
    await assert.rejects(
      dataFromOptions({ dataset: 'mnst' }, 'mse', true),
      /unknown dataset 'mnst' \(did you mean 'mnist'\?\)/,
    );
    const d = await dataFromOptions(
      { dataset: 'mnist', limit: 5 },
      'categorical_crossentropy',
      false,
    );
    assert.deepEqual(d.xTrain.shape, [5, 28, 28, 1]);
    assert.deepEqual(d.yTrain.shape, [5, 10]);
    const sparse = await dataFromOptions(
      { dataset: 'mnist', limit: 5 },
      'sparse_categorical_crossentropy',
      false,
    );
    assert.deepEqual(sparse.yTrain.shape, [5]);
  });
});

describe('keel --help', () => {
  it('lists every command, and each command has examples in its help', async () => {
    const { buildProgram } = await import('../../src/cli/main.js');
    const program = buildProgram();
    const names = program.commands.map((c) => c.name());
    for (const n of [
      'summary',
      'train',
      'evaluate',
      'predict',
      'convert',
      'inspect-data',
      'prune',
      'runs',
      'dashboard',
      'bench',
      'quantize',
      'distill',
      'serve',
      'launch',
      'tune',
    ]) {
      assert.ok(names.includes(n), `keel ${n}`);
    }
    for (const command of program.commands) {
      let text = '';
      command.configureOutput({ writeOut: (s) => (text += s) });
      command.outputHelp();
      assert.match(text, /Examples:\n {2}\$ keel /, `keel ${command.name()} --help`);
    }
  });
});
