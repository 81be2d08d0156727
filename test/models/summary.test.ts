import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../../src/backends/index.js';
import { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import { readableSize } from '../../src/models/summary.js';
import type { SymbolicTensor } from '../../src/nn/engine/symbolic-tensor.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { Input } from '../../src/nn/layers/input-layer.js';

function capture(model: Model, lineLength?: number): string[] {
  const lines: string[] = [];
  model.summary((l) => lines.push(l), lineLength);
  return lines;
}

describe('summary', () => {
  it("prints Keras's table for a Sequential before any training", () => {
    const model = new Sequential(
      [
        new Dense(64, { inputShape: [784], activation: 'relu', name: 'hidden' }),
        new Dense(10, { activation: 'softmax', name: 'probs' }),
      ],
      { name: 'sequential_mlp' },
    );
    const lines = capture(model);
    assert.equal(lines[0], 'Model: "sequential_mlp"');
    assert.match(lines[2]!, /^┃ Layer \(type\) +┃ Output Shape +┃ +Param # ┃$/);
    const rows = lines.filter((l) => l.startsWith('│'));
    assert.equal(rows.length, 2);
    assert.match(rows[0]!, /^│ hidden \(Dense\) +│ \(None, 64\) +│ +50,240 │$/);
    assert.match(rows[1]!, /^│ probs \(Dense\) +│ \(None, 10\) +│ +650 │$/);
    for (const l of lines.slice(1, -3)) assert.equal([...l].length, 88, `line width: ${l}`);
    assert.deepEqual(lines.slice(-3), [
      ' Total params: 50,890 (198.79 KB)',
      ' Trainable params: 50,890 (198.79 KB)',
      ' Non-trainable params: 0 (0.00 B)',
    ]);
    assert.equal(model.countParams(), 50890);
  });

  it('counts frozen layers as non-trainable and marks unbuilt layers', () => {
    const frozen = new Dense(3, { inputShape: [2], trainable: false, name: 'frozen' });
    const model = new Sequential([frozen, new Dense(1, { name: 'head' })]);
    const lines = capture(model);
    assert.ok(lines.includes(' Trainable params: 4 (16.00 B)'));
    assert.ok(lines.includes(' Non-trainable params: 9 (36.00 B)'));
    const lazy = new Sequential([new Dense(3, { name: 'lazy' })]);
    const text = capture(lazy).join('\n');
    assert.match(text, /│ lazy \(Dense\) +│ \? +│ +0 \(unbuilt\) │/);
    assert.match(text, / Total params: 0 \(0\.00 B\)/);
  });

  it("adds 'Connected to' for a branching functional model, with InputLayer rows", () => {
    const a = Input({ shape: [3], name: 'left' });
    const b = Input({ shape: [5], name: 'right' });
    const shared = new Dense(4, { name: 'shared_head' });
    const outs: SymbolicTensor[] = [
      shared.apply(new Dense(3, { name: 'proj' }).apply(b)),
      shared.apply(a),
    ];
    const model = new Model({ inputs: [a, b], outputs: outs, name: 'branchy' });
    const lines = capture(model);
    assert.match(lines[2]!, /Connected to/);
    const text = lines.join('\n');
    assert.match(text, /│ left \(InputLayer\) +│ \(None, 3\) +│ +0 │ - +│/);
    assert.match(text, /│ proj \(Dense\) +│ \(None, 3\) +│ +18 │ right\[0\]\[0\] +│/);
    assert.match(
      text,
      /│ shared_head \(Dense\) +│ \(None, 4\) +│ +16 │ proj\[0\]\[0\] +│\n│ +│ +│ +│ left\[0\]\[0\] +│/,
    );
    for (const l of lines.slice(1, -3)) assert.equal([...l].length, 108);
    assert.equal(capture(model, 80)[1]!.length, 80);
  });

  it('formats sizes like Keras', () => {
    assert.equal(readableSize(0), '0.00 B');
    assert.equal(readableSize(217640), '212.54 KB');
    assert.equal(readableSize(5 * 2 ** 20), '5.00 MB');
  });
});
