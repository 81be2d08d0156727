import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deserializeLoss, getLoss } from '../../../src/nn/losses/get-loss.js';
import {
  CategoricalHinge,
  CosineSimilarity,
  Hinge,
  LogCosh,
  type Loss,
  MeanAbsolutePercentageError,
  MeanSquaredLogarithmicError,
  Poisson,
  SquaredHinge,
} from '../../../src/nn/losses/index.js';
import { tensor } from '../../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../../helpers.js';

type Row = number[];
/** The per-sample loss from the formula, on plain float64 numbers (independent of Keel's ops). */
const rowwise = (f: (t: Row, p: Row) => number) => (t: Row[], p: Row[]) =>
  t.map((r, i) => f(r, p[i]!));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const binary = (t: Row[]) => t.flat().every((v) => v === 0 || v === 1);
const hingeT = (all: Row[]) => (t: Row) => (binary(all) ? t.map((v) => 2 * v - 1) : t);
const norm = (r: Row) => Math.max(Math.sqrt(r.reduce((a, b) => a + b * b, 0)), 1e-12);

const CASES: {
  loss: () => Loss;
  names: string[];
  ref: (t: Row[], p: Row[]) => number[];
  inputs: [Row[], Row[]][];
}[] = [
  {
    loss: () => new Poisson(),
    names: ['poisson'],
    ref: rowwise((t, p) => mean(p.map((q, i) => q - t[i]! * Math.log(q + 1e-7)))),
    inputs: [
      [
        [
          [0, 1],
          [2, 3],
        ],
        [
          [0.5, 1.5],
          [2, 0.1],
        ],
      ],
      [[[0, 0, 0]], [[0, 0, 0]]],
      [[[4]], [[1e-3]]],
    ],
  },
  {
    loss: () => new LogCosh(),
    names: ['log_cosh', 'logcosh', 'logCosh'],
    ref: rowwise((t, p) => mean(p.map((q, i) => Math.log(Math.cosh(q - t[i]!))))),
    inputs: [
      [
        [
          [0, 1],
          [0, 0],
        ],
        [
          [1, 1],
          [0, 0],
        ],
      ],
      [[[0.3, -2, 5]], [[0.3, 2, -5]]],
      [[[40]], [[-40]]],
    ],
  },
  {
    loss: () => new MeanSquaredLogarithmicError(),
    names: ['msle', 'mean_squared_logarithmic_error', 'MSLE'],
    ref: rowwise((t, p) =>
      mean(
        p.map((q, i) => (Math.log1p(Math.max(q, 1e-7)) - Math.log1p(Math.max(t[i]!, 1e-7))) ** 2),
      ),
    ),
    inputs: [
      [
        [
          [0, 1],
          [2, 3],
        ],
        [
          [1, 1],
          [0.5, 4],
        ],
      ],
      [[[5]], [[-3]]],
      [[[0, 0]], [[0, 0]]],
    ],
  },
  {
    loss: () => new MeanAbsolutePercentageError(),
    names: ['mape', 'mean_absolute_percentage_error', 'MAPE'],
    ref: rowwise((t, p) =>
      mean(p.map((q, i) => (100 * Math.abs(t[i]! - q)) / Math.max(Math.abs(t[i]!), 1e-7))),
    ),
    inputs: [
      [
        [
          [1, 2],
          [-4, 8],
        ],
        [
          [1.5, 2],
          [-3, 0],
        ],
      ],
      [[[1e-3]], [[2e-3]]],
      [[[10, -10, 3]], [[10, 10, 3]]],
    ],
  },
  {
    loss: () => new Hinge(),
    names: ['hinge'],
    ref: (t, p) =>
      rowwise((r, q) => mean(q.map((x, i) => Math.max(1 - hingeT(t)(r)[i]! * x, 0))))(t, p),
    inputs: [
      [
        [
          [0, 1],
          [1, 0],
        ],
        [
          [0.6, 0.4],
          [-0.3, 2],
        ],
      ],
      [[[-1, 1, 1]], [[0.5, -2, 3]]],
      [[[1]], [[1]]],
    ],
  },
  {
    loss: () => new SquaredHinge(),
    names: ['squared_hinge', 'squaredHinge'],
    ref: (t, p) =>
      rowwise((r, q) => mean(q.map((x, i) => Math.max(1 - hingeT(t)(r)[i]! * x, 0) ** 2)))(t, p),
    inputs: [
      [
        [
          [0, 1],
          [1, 0],
        ],
        [
          [0.6, 0.4],
          [-0.3, 2],
        ],
      ],
      [[[-1, 1, 1]], [[0.5, -2, 3]]],
      [[[0]], [[-5]]],
    ],
  },
  {
    loss: () => new CategoricalHinge(),
    names: ['categorical_hinge'],
    ref: rowwise((t, p) => {
      const pos = t.reduce((a, v, i) => a + v * p[i]!, 0);
      const neg = Math.max(...t.map((v, i) => (1 - v) * p[i]!));
      return Math.max(neg - pos + 1, 0);
    }),
    inputs: [
      [
        [
          [0, 1, 0],
          [1, 0, 0],
        ],
        [
          [0.2, 0.7, 0.1],
          [0.1, 0.5, 0.4],
        ],
      ],
      [[[0, 0, 1]], [[-3, -1, 4]]],
      [[[1, 0]], [[0.5, 0.5]]],
    ],
  },
  {
    loss: () => new CosineSimilarity(),
    names: ['cosine_similarity', 'cosineSimilarity'],
    ref: rowwise((t, p) => -t.reduce((a, v, i) => a + (v / norm(t)) * (p[i]! / norm(p)), 0)),
    inputs: [
      [
        [
          [0, 1],
          [1, 1],
        ],
        [
          [1, 0],
          [1, 1],
        ],
      ],
      [[[3, -4, 0]], [[-6, 8, 0]]],
      [[[0, 0]], [[1, 2]]],
    ],
  },
];

describe('Keras 3 losses Keel lacked (issue 20)', () => {
  for (const c of CASES) {
    const loss = c.loss();
    it(`${loss.constructor.name} matches its formula on three inputs, with gradients and its names`, () => {
      for (const [t, p] of c.inputs) {
        const want = c.ref(t, p);
        expectClose(loss.call(tensor(t), tensor(p)), want, { atol: 1e-4, rtol: 1e-4 });
        expectClose(loss.compute(tensor(t), tensor(p)), [mean(want)], { atol: 1e-4, rtol: 1e-4 });
      }
      const yTrue = rand([3, 4], 1, 0.1, 2);
      expectGradOk((yp) => loss.compute(yTrue, yp), [rand([3, 4], 2, 0.2, 2)]);
      for (const n of c.names) assert.equal(getLoss(n as never).constructor, loss.constructor);
      const back = deserializeLoss({
        className: (loss.constructor as unknown as { className: string }).className,
        config: loss.getConfig(),
      });
      assert.equal(back.constructor, loss.constructor);
      assert.equal(back.name, loss.name);
    });
  }
});
