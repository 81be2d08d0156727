/**
 * Step-by-step recurrent layers written with public ops only: the specification the fused
 * lstm, gru and simpleRnn ops are compared with (values and gradients).
 */
import {
  add,
  matMul,
  mul,
  reshape,
  sigmoid,
  slice,
  split,
  stack,
  sub,
  tanh,
  where,
} from '../../src/ops/index.js';
import { zeros } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';

export interface ReferenceOptions {
  mask?: Tensor | null;
  goBackwards?: boolean;
  recurrentMask?: Tensor | null;
  initial?: Tensor[];
}

type Cell = (xt: Tensor, states: Tensor[], hm: Tensor) => Tensor[];

function unroll(x: Tensor, units: number, nStates: number, cell: Cell, o: ReferenceOptions) {
  const [batch, steps, inDim] = x.shape as [number, number, number];
  let states = o.initial ?? Array.from({ length: nStates }, () => zeros([batch, units]));
  const outs: Tensor[] = [];
  const zero = zeros([batch, units]);
  for (let s = 0; s < steps; s++) {
    const t = o.goBackwards ? steps - 1 - s : s;
    const xt = reshape(slice(x, [0, t, 0], [batch, 1, inDim]), [batch, inDim]);
    const hm = o.recurrentMask ? mul(states[0]!, o.recurrentMask) : states[0]!;
    let next = cell(xt, states, hm);
    let out = next[0]!;
    if (o.mask) {
      const m = reshape(slice(o.mask, [0, t], [batch, 1]), [batch, 1]);
      const keep = (a: Tensor, b: Tensor) => where(m, a, b);
      out = keep(next[0]!, zero);
      next = next.map((n, i) => keep(n, states[i]!));
    }
    outs.push(out);
    states = next;
  }
  return { sequences: stack(outs, 1), states };
}

export function lstmReference(
  x: Tensor,
  k: Tensor,
  rk: Tensor,
  b: Tensor,
  o: ReferenceOptions = {},
) {
  const units = rk.shape[0]!;
  return unroll(
    x,
    units,
    2,
    (xt, [, c], hm) => {
      const z = add(add(matMul(xt, k), matMul(hm, rk)), b);
      const [zi, zf, zc, zo] = split(z, 4, 1);
      const cNew = add(mul(sigmoid(zf!), c!), mul(sigmoid(zi!), tanh(zc!)));
      return [mul(sigmoid(zo!), tanh(cNew)), cNew];
    },
    o,
  );
}

/** GRU with Keras's resetAfter=true: bias [2, 3u] (input bias, recurrent bias). */
export function gruReference(
  x: Tensor,
  k: Tensor,
  rk: Tensor,
  b: Tensor,
  o: ReferenceOptions = {},
) {
  const units = rk.shape[0]!;
  const [bIn, bRec] = split(b, 2, 0).map((t) => reshape(t, [3 * units]));
  return unroll(
    x,
    units,
    1,
    (xt, [h], hm) => {
      const [xz, xr, xh] = split(add(matMul(xt, k), bIn!), 3, 1);
      const [rz, rr, rh] = split(add(matMul(hm, rk), bRec!), 3, 1);
      const z = sigmoid(add(xz!, rz!));
      const r = sigmoid(add(xr!, rr!));
      const hh = tanh(add(xh!, mul(r, rh!)));
      return [add(mul(z, h!), mul(sub(1, z), hh))];
    },
    o,
  );
}

export function simpleRnnReference(
  x: Tensor,
  k: Tensor,
  rk: Tensor,
  b: Tensor,
  o: ReferenceOptions = {},
) {
  const units = rk.shape[0]!;
  return unroll(x, units, 1, (xt, _s, hm) => [tanh(add(add(matMul(xt, k), b), matMul(hm, rk)))], o);
}
