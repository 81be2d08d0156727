import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  Adadelta,
  Adafactor,
  Adagrad,
  Adamax,
  Ftrl,
  Lion,
  Nadam,
  type Optimizer,
} from '../../../src/nn/optimizers/index.js';
import { tensor } from '../../../src/tensor/create.js';
import { Variable } from '../../../src/tensor/tensor.js';
import { expectClose } from '../../helpers.js';

/** Written by fixtures/keras-optimizers.py (numpy from Keras 3's rules, torch 1.13 where it agrees). */
interface Case {
  optimizer: string;
  case: string;
  config: Record<string, number>;
  source: string;
  shape: number[];
  w0: number[];
  grads: number[][];
  want: number[];
}

const CLASSES: Record<string, new (args: Record<string, number>) => Optimizer> = {
  Nadam,
  Adagrad,
  Adadelta,
  Adamax,
  Lion,
  Adafactor,
  Ftrl,
};

const { cases } = JSON.parse(
  readFileSync(new URL('./fixtures/keras-optimizers.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

describe('new optimizers against the Keras 3 reference trajectories', () => {
  it('covers every optimizer with at least the five edge-case inputs', () => {
    for (const name of Object.keys(CLASSES)) {
      const labels = new Set(cases.filter((c) => c.optimizer === name).map((c) => c.case));
      for (const label of ['zero gradients', 'large gradients', 'sparse-ish vector gradients'])
        assert.ok(labels.has(label), `${name}: ${label}`);
      assert.ok(labels.has('weight decay'), `${name}: weight decay`);
    }
  });

  for (const c of cases) {
    it(`${c.optimizer} ${JSON.stringify(c.config)}: ${c.case} (${c.source})`, () => {
      const opt = new CLASSES[c.optimizer]!(c.config);
      const w = new Variable(tensor(c.w0, c.shape), { name: 'w' });
      for (const g of c.grads) opt.applyGradients([[tensor(g, c.shape), w]]);
      assert.equal(opt.iterations, c.grads.length);
      // float32 storage against a float64 reference: relative 2e-5 of the values' scale.
      const scale = Math.max(...c.want.map(Math.abs));
      expectClose(w, c.want, { atol: 2e-5 * Math.max(1, scale), rtol: 2e-5 });
      // The trajectory moved: a rule that did nothing would not pass by accident.
      assert.ok(c.want.some((x, i) => Math.abs(x - c.w0[i]!) > 1e-4));
    });
  }
});
