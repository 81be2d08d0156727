import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Distiller } from '../../../src/compress/distill/index.js';
import { loadModel } from '../../../src/io/keel-format/model-file.js';
import { loadOnnx, saveOnnx } from '../../../src/io/onnx/index.js';
import { Model } from '../../../src/models/model.js';
import { Sequential } from '../../../src/models/sequential.js';
import type { CallArgs, LayerInput } from '../../../src/nn/engine/layer.js';
import { Dense } from '../../../src/nn/layers/dense.js';
import { Dropout } from '../../../src/nn/layers/dropout.js';
import { setSeed } from '../../../src/random/rng.js';
import { randomNormal } from '../../../src/random/tensors.js';
import { tensor } from '../../../src/tensor/create.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { expectClose } from '../../helpers.js';

/** A 3-class problem on 6 features: the class of the largest of three fixed projections. */
function data(n: number, seed: number): { x: Tensor; y: Tensor } {
  setSeed(seed);
  const x = randomNormal([n, 6]);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = x.data.subarray(i * 6, i * 6 + 6);
    const s = [r[0]! + r[1]!, r[2]! - r[3]!, r[4]! + 0.5 * r[5]!];
    labels[i] = s.indexOf(Math.max(...s));
  }
  return { x, y: tensor(labels, [n], 'int32') };
}

function teacherModel(): Sequential {
  setSeed(11);
  return new Sequential([
    new Dense(32, { activation: 'relu', inputShape: [6], name: 't_hidden' }),
    new Dropout(0.5),
    new Dense(3, { activation: 'softmax', name: 't_out' }),
  ]);
}

function studentModel(seed = 12, classes = 3): Sequential {
  setSeed(seed);
  return new Sequential([
    new Dense(4, { activation: 'relu', inputShape: [6], name: 's_hidden' }),
    new Dense(classes, { activation: 'softmax', name: 's_out' }),
  ]);
}

async function trainedTeacher(): Promise<Sequential> {
  const { x, y } = data(256, 1);
  const t = teacherModel();
  t.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
  await t.fit(x, y, { epochs: 20, batchSize: 32, verbose: 0 });
  return t;
}

const teacherPromise = trainedTeacher();

describe('Distiller', () => {
  it('trains the student only: the teacher gets no updates and always runs with training = false', async () => {
    const teacher = await teacherPromise;
    const before = teacher.getWeights();
    const modes: unknown[] = [];
    const originalCall = teacher.call.bind(teacher);
    teacher.call = (inputs: LayerInput, args: CallArgs) => {
      modes.push(args.training);
      return originalCall(inputs, args);
    };
    try {
      const student = studentModel();
      const studentBefore = student.getWeights();
      const d = new Distiller({ teacher, student });
      d.compile({
        optimizer: 'adam',
        studentLoss: 'sparse_categorical_crossentropy',
        metrics: ['accuracy'],
        alpha: 0.1,
        temperature: 4,
      });
      assert.deepEqual(
        d.trainableWeights.map((w) => w.name),
        student.trainableWeights.map((w) => w.name),
      );
      const { x, y } = data(128, 2);
      const history = await d.fit(x, y, { epochs: 2, batchSize: 32, verbose: 0 });
      assert.ok(modes.length >= 8, 'the teacher ran on every batch');
      assert.ok(
        modes.every((m) => m === false),
        `teacher modes: ${modes.join(', ')}`,
      );
      teacher.getWeights().forEach((w, i) => {
        assert.deepEqual(w.data, before[i]!.data);
      });
      assert.ok(
        student.getWeights().some((w, i) => w.data.some((v, k) => v !== studentBefore[i]!.data[k])),
      );
      for (const key of ['loss', 'student_loss', 'distillation_loss', 'accuracy'])
        assert.ok(Array.isArray(history.history[key]) && history.history[key]!.length === 2, key);
      const [loss, s, kd] = ['loss', 'student_loss', 'distillation_loss'].map(
        (k) => history.history[k]!.at(-1)!,
      );
      assert.ok(
        Math.abs(loss! - (0.1 * s! + 0.9 * kd!)) < 1e-3 * Math.max(1, loss!),
        'loss = α·student + (1−α)·KD',
      );
    } finally {
      delete (teacher as { call?: unknown }).call;
    }
  });

  it('with alpha = 1 trains exactly as the student alone', async () => {
    const teacher = await teacherPromise;
    const { x, y } = data(96, 3);
    const alone = studentModel(21);
    alone.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    setSeed(5);
    await alone.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
    const d = new Distiller({ teacher, student: studentModel(21) });
    d.compile({ optimizer: 'sgd', studentLoss: 'sparse_categorical_crossentropy', alpha: 1 });
    setSeed(5);
    await d.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0 });
    d.student.getWeights().forEach((w, i) => {
      expectClose(w, alone.getWeights()[i]!, { atol: 1e-6 });
    });
  });

  it('cached teacher outputs give the same training as running the teacher on the fly', async () => {
    const teacher = await teacherPromise;
    const { x, y } = data(100, 4);
    let teacherCalls = 0;
    const originalCall = teacher.call.bind(teacher);
    teacher.call = (inputs: LayerInput, args: CallArgs) => {
      teacherCalls++;
      return originalCall(inputs, args);
    };
    const run = async (teacherOutputs: 'cached' | 'onTheFly') => {
      teacherCalls = 0;
      const d = new Distiller({ teacher, student: studentModel(31) });
      d.compile({
        optimizer: 'adam',
        studentLoss: 'sparse_categorical_crossentropy',
        teacherOutputs,
      });
      setSeed(6);
      await d.fit(x, y, { epochs: 2, batchSize: 16, validationSplit: 0.2, verbose: 0 });
      return { d, calls: teacherCalls };
    };
    const { d: cached, calls: cachedCalls } = await run('cached');
    const { d: fly, calls: flyCalls } = await run('onTheFly');
    delete (teacher as { call?: unknown }).call;
    assert.equal(cachedCalls, 1, 'cached: one teacher pass over the 100 samples');
    assert.equal(flyCalls, 10, 'on the fly: one teacher call per training batch (5 per epoch)');
    cached.student.getWeights().forEach((w, i) => {
      expectClose(w, fly.student.getWeights()[i]!, { atol: 1e-5 });
    });
    expectClose(
      tensor(cached.history!.history['val_loss']!),
      tensor(fly.history!.history['val_loss']!),
      { atol: 1e-5 },
    );
  });

  it('evaluates and predicts with the student, and saves the student alone', async () => {
    const teacher = await teacherPromise;
    const { x, y } = data(64, 5);
    const student = studentModel();
    const d = new Distiller({ teacher, student });
    d.compile({
      optimizer: 'adam',
      studentLoss: 'sparse_categorical_crossentropy',
      metrics: ['accuracy'],
    });
    await d.fit(x, y, { epochs: 1, verbose: 0 });
    student.compile({
      optimizer: 'adam',
      loss: 'sparse_categorical_crossentropy',
      metrics: ['accuracy'],
    });
    assert.deepEqual(
      await d.evaluate(x, y, { verbose: 0 }),
      await student.evaluate(x, y, { verbose: 0 }),
    );
    const p = d.predict(x) as Tensor;
    expectClose(p, student.predict(x) as Tensor);
    const path = join(mkdtempSync(join(tmpdir(), 'keel-distill-')), 'student.keel');
    d.save(path);
    const loaded = loadModel(path);
    assert.equal(loaded.countParams(), student.countParams());
    assert.ok(loaded.countParams() < teacher.countParams());
    expectClose(loaded.predict(x) as Tensor, p, { atol: 1e-6 });
    assert.throws(() => d.getConfig(), /writes the student alone/);
  });

  it('rejects a teacher and a student whose outputs differ in shape', async () => {
    const teacher = await teacherPromise;
    assert.throws(
      () => new Distiller({ teacher, student: studentModel(12, 4) }),
      /teacher 'sequential\S*' outputs \[\*, 3\] but the student 'sequential\S*' outputs \[\*, 4\]/,
    );
    // A subclassed student's shape is known only when it runs: the first batch says so.
    class Wide extends Model {
      readonly dense = new Dense(5);
      override call(inputs: LayerInput): LayerInput {
        return this.dense.apply(inputs as Tensor);
      }
    }
    const d = new Distiller({ teacher, student: new Wide() });
    d.compile({ optimizer: 'sgd', studentLoss: 'mse', studentFromLogits: true });
    const { x } = data(8, 6);
    await assert.rejects(
      d.fit(x, randomNormal([8, 5]), { epochs: 1, verbose: 0 }),
      /teacher 'sequential\S*' outputs \[8, 3\] but the student '\S+' outputs \[8, 5\]/,
    );
  });

  it('takes a teacher loaded from another format (ONNX) and distils into another architecture', async () => {
    const teacher = await teacherPromise;
    const path = join(mkdtempSync(join(tmpdir(), 'keel-distill-')), 'teacher.onnx');
    saveOnnx(teacher, path);
    const onnxTeacher = loadOnnx(path);
    const { x, y } = data(128, 7);
    expectClose(onnxTeacher.predict(x) as Tensor, teacher.predict(x) as Tensor, { atol: 1e-5 });
    const d = new Distiller({ teacher: onnxTeacher, student: studentModel(41) });
    d.compile({
      optimizer: 'adam',
      studentLoss: 'sparse_categorical_crossentropy',
      temperature: 2,
    });
    const h = await d.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0 });
    const kd = h.history['distillation_loss']!;
    assert.ok(kd.at(-1)! < kd[0]!, `distillation loss falls: ${kd.join(', ')}`);
  });
});
