import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Distiller } from '../../../src/compress/distill/index.js';
import { GPT } from '../../../src/models/gpt.js';
import { Sequential } from '../../../src/models/sequential.js';
import { Dense } from '../../../src/nn/layers/dense.js';
import { SparseCategoricalCrossentropy } from '../../../src/nn/losses/sparse-categorical-crossentropy.js';
import { cast } from '../../../src/ops/cast.js';
import { floor } from '../../../src/ops/floor.js';
import { setSeed } from '../../../src/random/rng.js';
import { randomNormal, randomUniform } from '../../../src/random/tensors.js';
import { tensor } from '../../../src/tensor/create.js';
import type { Tensor } from '../../../src/tensor/tensor.js';

function mlp(width: number, seed: number, prefix: string): Sequential {
  setSeed(seed);
  return new Sequential([
    new Dense(width, { activation: 'relu', inputShape: [5], name: `${prefix}_hidden` }),
    new Dense(2, { activation: 'softmax', name: `${prefix}_out` }),
  ]);
}

const x = (() => {
  setSeed(3);
  return randomNormal([64, 5]);
})();
const y = tensor(
  Int32Array.from({ length: 64 }, (_, i) => (x.data[i * 5]! > 0 ? 1 : 0)),
  [64],
  'int32',
);

describe('feature hints (FitNets)', () => {
  it('pulls the student layer towards the teacher layer through a learned Dense adapter', async () => {
    const teacher = mlp(16, 1, 't');
    const student = mlp(4, 2, 's');
    const d = new Distiller({
      teacher,
      student,
      featureHints: [{ teacherLayer: 't_hidden', studentLayer: 's_hidden', weight: 2 }],
    });
    d.compile({ optimizer: 'adam', studentLoss: 'sparse_categorical_crossentropy' });
    const h = await d.fit(x, y, { epochs: 8, batchSize: 16, verbose: 0 });
    const hint = h.history['hint_s_hidden']!;
    assert.ok(
      hint.at(-1)! < 0.9 * hint[0]!,
      `hint loss falls: ${hint.map((v) => v.toFixed(4)).join(', ')}`,
    );
    // The adapter (4 -> 16, kernel and bias) is trained with the student and is the Distiller's only extra weight.
    const extra = d.trainableWeights.filter((w) => !student.trainableWeights.includes(w));
    assert.deepEqual(
      extra.map((w) => w.shape),
      [[4, 16], [16]],
    );
    assert.equal(d.student.countParams(), student.countParams());
  });

  it('with adapter none, mismatched shapes are an error naming both layers and shapes', async () => {
    const d = new Distiller({
      teacher: mlp(16, 1, 't'),
      student: mlp(4, 2, 's'),
      featureHints: [{ teacherLayer: 't_hidden', studentLayer: 's_hidden', adapter: 'none' }],
    });
    d.compile({ optimizer: 'adam', studentLoss: 'sparse_categorical_crossentropy' });
    await assert.rejects(
      d.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0 }),
      /teacher layer 't_hidden' gives \[16, 16\], student layer 's_hidden' gives \[16, 4\]/,
    );
  });

  it('names the model and its layers when a hint names no layer', () => {
    assert.throws(
      () =>
        new Distiller({
          teacher: mlp(16, 1, 't'),
          student: mlp(4, 2, 's'),
          featureHints: [{ teacherLayer: 't_hidden', studentLayer: 'nope' }],
        }),
      /the student '\S+' has no layer named 'nope'; its layers are .*'s_hidden'/,
    );
  });
});

describe('attention hints', () => {
  const gpt = (layers: number, heads: number, hidden: number, seed: number, name: string) => {
    setSeed(seed);
    return new GPT({
      vocabularySize: 7,
      sequenceLength: 6,
      numLayers: layers,
      numHeads: heads,
      hiddenDim: hidden,
      name,
    });
  };
  const tokens = (): [Tensor, Tensor] => {
    setSeed(9);
    const t = cast(floor(randomUniform([16, 7], 0, 7)), 'int32');
    const data = t.data as Int32Array;
    const xs = new Int32Array(16 * 6);
    const ys = new Int32Array(16 * 6);
    for (let b = 0; b < 16; b++) {
      xs.set(data.subarray(b * 7, b * 7 + 6), b * 6);
      ys.set(data.subarray(b * 7 + 1, b * 7 + 7), b * 6);
    }
    return [tensor(xs, [16, 6], 'int32'), tensor(ys, [16, 6], 'int32')];
  };

  it('matches a Transformer student attention map to the teacher, per token outputs included', async () => {
    const teacher = gpt(2, 4, 16, 1, 'teacher');
    const student = gpt(1, 2, 8, 2, 'student');
    const d = new Distiller({
      teacher,
      student,
      attentionHints: [
        {
          teacherLayer: 'teacher/transformer_layer_1/self_attention',
          studentLayer: 'student/transformer_layer_0/self_attention',
        },
      ],
    });
    d.compile({
      optimizer: 'adam',
      studentLoss: new SparseCategoricalCrossentropy({ fromLogits: true }),
      temperature: 2,
    });
    const [xs, ys] = tokens();
    const h = await d.fit(xs, ys, { epochs: 10, batchSize: 8, verbose: 0 });
    const att = h.history['attention_student/transformer_layer_0/self_attention']!;
    assert.ok(att.every((v) => Number.isFinite(v) && v >= 0));
    assert.ok(
      att.at(-1)! < att[0]!,
      `attention loss falls: ${att.map((v) => v.toFixed(4)).join(', ')}`,
    );
    assert.ok(h.history['distillation_loss']!.every((v) => v > 0));
    // Capture leaves no trace: the layers' own methods are back, and generation still works.
    const mha = student.blocks[0]!.sublayers[0]!;
    assert.equal(Object.hasOwn(mha, 'call') || Object.hasOwn(mha, 'callWithCache'), false);
  });

  it('rejects attention hints on layers that are not attention', () => {
    assert.throws(
      () =>
        new Distiller({
          teacher: gpt(1, 2, 8, 1, 'teacher'),
          student: gpt(1, 2, 8, 2, 'student'),
          attentionHints: [
            {
              teacherLayer: 'teacher/transformer_layer_0',
              studentLayer: 'student/transformer_layer_0',
            },
          ],
        }),
      /attention maps come from MultiHeadAttention layers; 'teacher\/transformer_layer_0' is a TransformerDecoder/,
    );
  });
});
