import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../../src/backends/index.js';
import { Sequential } from '../../src/models/sequential.js';
import { ProgbarLogger } from '../../src/nn/callbacks/progbar-logger.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { SGD } from '../../src/nn/optimizers/sgd.js';
import { setSeed } from '../../src/random/rng.js';
import { tensor } from '../../src/tensor/create.js';
import { formatEta, formatLogValue, formatStepTime, Progbar } from '../../src/utils/progbar.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (s: string) => chunks.push(s) }, chunks };
}

/** A clock advanced by hand, in milliseconds. */
function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('Progbar', () => {
  it('redraws in place on a terminal with the ETA, throttled, and ends with total time', () => {
    const { stream, chunks } = sink(true);
    const c = clock();
    const bar = new Progbar({ target: 10, stream, color: false, now: c.now });
    for (let step = 1; step <= 10; step++) {
      c.advance(step === 5 ? 10 : 200);
      bar.update(step, { loss: 1 / step, accuracy: 0.5 + step / 40 });
    }
    // Step 5 came 10 ms after step 4, inside the 100 ms throttle: 9 draws for 10 updates.
    assert.equal(chunks.length, 9);
    assert.ok(chunks.every((s) => s.startsWith('\r')));
    assert.equal(
      chunks[0],
      `\r 1/10 ━━${'─'.repeat(18)} 1s 200ms/step - loss: 1.0000 - accuracy: 0.5250`,
    );
    // After step 4: 3 steps of 200 ms since step 1, 6 steps left: 1.2 s.
    assert.equal(
      chunks[3],
      `\r 4/10 ${'━'.repeat(8)}${'─'.repeat(12)} 1s 200ms/step - loss: 0.2500 - accuracy: 0.6000`,
    );
    const last = chunks[8]!;
    assert.match(last, /^\r10\/10 ━{20} 2s 179ms\/step - loss: 0\.1000 - accuracy: 0\.7500\n$/);
    bar.update(10, { loss: 0 });
    assert.equal(chunks.length, 9, 'nothing is drawn after the end');
  });

  it('pads a shorter line to erase the previous one and uses colour when asked', () => {
    const { stream, chunks } = sink(true);
    const c = clock();
    const bar = new Progbar({ target: 2, stream, color: true, now: c.now });
    c.advance(150);
    bar.update(1, { loss: 12.5, something_long: 3 });
    c.advance(150);
    bar.update(2, { loss: 2 }, true);
    const esc = '\x1b';
    const line = `${esc}[32m${'━'.repeat(10)}${esc}[0m${esc}[37m${'━'.repeat(10)}${esc}[0m`;
    assert.ok(
      chunks[0]!.startsWith(`\r${esc}[1m1/2${esc}[0m ${line} ${esc}[1m0s${esc}[0m`),
      chunks[0],
    );
    const ansi = new RegExp(`${esc}\\[[0-9;]*m`, 'g');
    const plain = (s: string) => s.replace(ansi, '').replace(/[\r\n]/g, '');
    assert.ok(chunks[1]!.endsWith('\n'));
    assert.ok(plain(chunks[1]!).trimEnd().length < plain(chunks[0]!).length);
    assert.equal(plain(chunks[1]!).length, plain(chunks[0]!).length);
  });

  it('prints one line at the end off a terminal', () => {
    const { stream, chunks } = sink(false);
    const c = clock();
    const bar = new Progbar({ target: 4, stream, now: c.now });
    for (let step = 1; step <= 4; step++) {
      c.advance(250);
      bar.update(step, { loss: 0.00012345 });
    }
    assert.deepEqual(chunks, ['4/4 - 1s - 250ms/step - loss: 1.2345e-04\n']);
  });

  it('formats values, step times and ETAs like Keras', () => {
    assert.equal(formatLogValue(0.123456), '0.1235');
    assert.equal(formatLogValue(0), '0.0000e+00');
    assert.equal(formatLogValue(-2e-5), '-2.0000e-05');
    assert.equal(formatLogValue(Number.NaN), 'nan');
    assert.equal(formatStepTime(0.012, 'step'), '12ms/step');
    assert.equal(formatStepTime(2.4, 'step'), '2s/step');
    assert.equal(formatStepTime(0.00035, 'step'), '350us/step');
    assert.equal(formatEta(42.9), '42s');
    assert.equal(formatEta(187), '3:07');
    assert.equal(formatEta(3723), '1:02:03');
  });
});

describe('ProgbarLogger in fit', () => {
  const x = tensor([
    [0, 1],
    [1, 0],
    [1, 1],
    [0, 0],
  ]);
  const y = tensor([[1], [0], [1], [0]]);

  function model(): Sequential {
    setSeed(4);
    const m = new Sequential([new Dense(1, { inputShape: [2], activation: 'sigmoid' })]);
    m.compile({
      optimizer: new SGD({ learningRate: 0.1 }),
      loss: 'binary_crossentropy',
      metrics: ['accuracy'],
    });
    return m;
  }

  it('prints Epoch headers and one line per epoch off a terminal, with val_ values', async () => {
    const { stream, chunks } = sink(false);
    await model().fit(x, y, {
      epochs: 2,
      batchSize: 2,
      validationData: [x, y],
      callbacks: [new ProgbarLogger({ stream })],
    });
    const text = chunks.join('');
    const lines = text.split('\n');
    assert.equal(lines.length, 5);
    assert.equal(lines[0], 'Epoch 1/2');
    assert.match(
      lines[1]!,
      /^2\/2 - \d+s - \d+(ms|us|s)\/step - accuracy: \d\.\d{4} - loss: \d\.\d{4} - val_accuracy: \d\.\d{4} - val_loss: \d\.\d{4}$/,
    );
    assert.equal(lines[2], 'Epoch 2/2');
    assert.equal(lines[4], '');
  });

  it('draws the bar on a terminal and keeps evaluation inside fit silent', async () => {
    const { stream, chunks } = sink(true);
    await model().fit(x, y, {
      epochs: 1,
      batchSize: 1,
      validationData: [x, y],
      callbacks: [new ProgbarLogger({ stream, color: false })],
    });
    assert.equal(chunks[0], 'Epoch 1/1\n');
    assert.match(chunks[1]!, /^\r1\/4 ━━━━━─────────────── \d+s \d+(ms|us|s)\/step - accuracy: /);
    const final = chunks[chunks.length - 1]!;
    assert.match(final, /^\r4\/4 ━{20} \d+s .* - val_loss: \d\.\d{4} *\n$/);
  });

  it('shows a bar for evaluate with verbose 1 and nothing with verbose 0', async () => {
    const m = model();
    const quiet = sink(false);
    await m.evaluate(x, y, {
      verbose: 0,
      callbacks: [new ProgbarLogger({ stream: quiet.stream })],
    });
    assert.deepEqual(quiet.chunks, []);
    const loud = sink(false);
    await m.evaluate(x, y, {
      verbose: 1,
      batchSize: 2,
      callbacks: [new ProgbarLogger({ stream: loud.stream })],
    });
    assert.match(
      loud.chunks.join(''),
      /^2\/2 - \d+s - .* - accuracy: \d\.\d{4} - loss: \d\.\d{4}\n$/,
    );
  });
});
