import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Logs } from '../../../src/nn/callbacks/callback.js';
import { CSVLogger } from '../../../src/nn/callbacks/csv-logger.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-csv-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(logger: CSVLogger, epochs: Logs[]): void {
  logger.onTrainBegin({});
  epochs.forEach((logs, epoch) => {
    logger.onEpochEnd(epoch, logs);
  });
  logger.onTrainEnd({});
}

describe('CSVLogger', () => {
  it('writes a header of epoch and the sorted keys, then one line per epoch', () => {
    const file = join(dir, 'log.csv');
    run(new CSVLogger(file), [
      { val_loss: 0.5, loss: 0.75, accuracy: 0.5, val_accuracy: 0.25 },
      { val_loss: 0.25, loss: 0.5, accuracy: 0.75, val_accuracy: 0.5 },
    ]);
    assert.equal(
      readFileSync(file, 'utf8'),
      'epoch,accuracy,loss,val_accuracy,val_loss\n0,0.5,0.75,0.25,0.5\n1,0.75,0.5,0.5,0.25\n',
    );
  });

  it('flushes each line as the epoch ends', () => {
    const file = join(dir, 'flush.csv');
    const logger = new CSVLogger(file);
    logger.onTrainBegin({});
    logger.onEpochEnd(0, { loss: 1, val_loss: 2 });
    assert.equal(readFileSync(file, 'utf8'), 'epoch,loss,val_loss\n0,1,2\n');
    logger.onTrainEnd({});
  });

  it('reserves val_ columns (NA) when the first epoch has none, as Keras does', () => {
    const file = join(dir, 'noval.csv');
    run(new CSVLogger(file, { separator: ';' }), [{ loss: 1 }, { loss: 0.5, val_loss: 0.7 }]);
    assert.equal(readFileSync(file, 'utf8'), 'epoch;loss;val_loss\n0;1;NA\n1;0.5;0.7\n');
  });

  it('appends to an existing file without repeating the header, or overwrites it', () => {
    const file = join(dir, 'append.csv');
    run(new CSVLogger(file, { append: true }), [{ loss: 1, val_loss: 2 }]);
    run(new CSVLogger(file, { append: true }), [{ loss: 3, val_loss: 4 }]);
    assert.equal(readFileSync(file, 'utf8'), 'epoch,loss,val_loss\n0,1,2\n0,3,4\n');
    run(new CSVLogger(file), [{ loss: 5, val_loss: 6 }]);
    assert.equal(readFileSync(file, 'utf8'), 'epoch,loss,val_loss\n0,5,6\n');
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    run(new CSVLogger(empty, { append: true }), [{ loss: 1, val_loss: 2 }]);
    assert.equal(readFileSync(empty, 'utf8'), 'epoch,loss,val_loss\n0,1,2\n');
  });

  it('quotes fields that contain the separator', () => {
    const file = join(dir, 'quote.csv');
    run(new CSVLogger(file), [{ 'a,b': 1, val_x: 2 }]);
    assert.equal(readFileSync(file, 'utf8'), 'epoch,"a,b",val_x\n0,1,2\n');
  });
});
