import { TFJS_HARD_SIGMOID } from '../tfjs/convert-config.js';
import { attr, type ImportContext, intAttr, type NodeImporter } from './import-context.js';
import { castQuantized } from './import-int8.js';
import { ONNX_DTYPE, type OnnxNode } from './schema.js';

/** An elementwise activation: an Activation layer in the input's layout. */
const activation =
  (name: string): NodeImporter =>
  (c, node) => {
    const x = c.tensor(node.input[0]);
    c.set(node.output[0]!, { t: c.apply('Activation', { activation: name }, [x.t]), perm: x.perm });
  };

/** The output is the input (Identity, Dropout at inference, a Cast Keel needs no layer for). */
const alias: NodeImporter = (c, node) => c.setValue(node.output[0]!, c.value(node.input[0]));

/** Ids cast to integers for Gather (Keel's Embedding takes float ids as they are). */
const cast: NodeImporter = (c, node) => {
  if (castQuantized(c, node)) return;
  const out = node.output[0]!;
  const to = intAttr(node, 'to', 0);
  const gathers = c
    .consumers(out)
    .every((i) => c.nodes[i]!.opType === 'Gather' && c.nodes[i]!.input[1] === out);
  const ints = to === ONNX_DTYPE.INT64 || to === ONNX_DTYPE.INT32;
  if (!(to === ONNX_DTYPE.FLOAT || (ints && gathers)))
    throw new Error(`Cast to type ${to} is only supported on the ids of a Gather`);
  alias(c, node, 0);
};

/** LeakyRelu(alpha) (ONNX default 0.01) as a LeakyReLU layer with that slope. */
const leakyRelu: NodeImporter = (c, node) => {
  const alpha = attr(node, 'alpha') ?? 0.01;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha))
    throw new Error(`LeakyRelu alpha must be a number, got ${alpha}`);
  const x = c.tensor(node.input[0]);
  c.set(node.output[0]!, {
    t: c.apply('LeakyReLU', { negativeSlope: Math.fround(alpha) }, [x.t]),
    perm: x.perm,
  });
};

/** ThresholdedRelu(alpha) (ONNX default 1; Keras's ThresholdedReLU as tf2onnx writes it). */
const thresholdedRelu: NodeImporter = (c, node) => {
  const alpha = attr(node, 'alpha') ?? 1;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha))
    throw new Error(`ThresholdedRelu alpha must be a number, got ${alpha}`);
  const x = c.tensor(node.input[0]);
  c.set(node.output[0]!, {
    t: c.apply('ThresholdedReLU', { theta: Math.fround(alpha) }, [x.t]),
    perm: x.perm,
  });
};

/**
 * HardSigmoid(alpha, beta) = clip(alpha·x + beta, 0, 1): PyTorch's Hardsigmoid writes alpha 1/6
 * (Keras 3's hard_sigmoid); ONNX's default 0.2 is Keras 2's and tfjs's (tf2onnx writes it).
 */
const hardSigmoid: NodeImporter = (c, node, index) => {
  const alpha = (attr(node, 'alpha') as number | undefined) ?? 0.2;
  const beta = (attr(node, 'beta') as number | undefined) ?? 0.5;
  const near = (a: number, b: number) => Math.abs(a - b) < 1e-6;
  if (!near(beta, 0.5))
    throw new Error(`HardSigmoid beta=${beta}: only 0.5 is supported (alpha 1/6 or 0.2)`);
  if (near(alpha, 1 / 6)) activation('hard_sigmoid')(c, node, index);
  else if (near(alpha, 0.2)) activation(TFJS_HARD_SIGMOID)(c, node, index);
  else
    throw new Error(
      `HardSigmoid alpha=${alpha}: only 1/6 (Keras 3) and 0.2 (Keras 2) are supported`,
    );
};

const clip: NodeImporter = (c, node, index) => {
  // Opset 11+ takes min and max as inputs; opsets 6-10 as attributes.
  const lo = c.optionalConstant(node, 1)?.data[0] ?? (attr(node, 'min') as number | undefined);
  const hi = c.optionalConstant(node, 2)?.data[0] ?? (attr(node, 'max') as number | undefined);
  if (lo !== 0 || hi !== 6)
    throw new Error(`Clip(${lo}, ${hi}): only Clip(0, 6) (relu6) is supported`);
  activation('relu6')(c, node, index);
};

const softmax: NodeImporter = (c, node, index) => {
  const x = c.tensor(node.input[0]);
  const r = x.t.shape.length;
  let axis = intAttr(node, 'axis', -1);
  if (axis < 0) axis += r;
  if ((x.perm ? x.perm[axis] : axis) !== r - 1)
    throw new Error(`${node.opType} over axis ${axis}: only the (Keel) last axis is supported`);
  activation(node.opType === 'Softmax' ? 'softmax' : 'log_softmax')(c, node, index);
};

/** Tensors combined by a merge layer; constants are rejected, layouts are kept when all agree. */
function merge(
  c: ImportContext,
  className: 'Add' | 'Concatenate' | 'Multiply',
  node: OnnxNode,
  axis?: number,
): void {
  const recs = node.input.map((n) => c.tensor(n));
  const same = recs.every((r) => JSON.stringify(r.perm) === JSON.stringify(recs[0]!.perm));
  const perm = same ? recs[0]!.perm : null;
  const ts = same ? recs.map((r) => r.t) : recs.map((r) => c.realize(r));
  const config: Record<string, unknown> = {};
  if (axis !== undefined) {
    const r = ts[0]!.shape.length;
    const a = axis < 0 ? axis + r : axis;
    config['axis'] = perm ? perm[a] : a;
  }
  c.set(node.output[0]!, {
    t: ts.length === 1 ? ts[0]! : c.apply(className, config, ts),
    perm,
  });
}

/** Add/Sum of tensors (a constant bias after MatMul is folded into the Dense by `dense`). */
const add: NodeImporter = (c, node) => {
  const vals = node.input.map((n) => c.value(n));
  if (vals.some((v) => v.kind !== 'tensor'))
    throw new Error(`${node.opType} with a constant is only supported after MatMul (a Dense bias)`);
  merge(c, 'Add', node);
};

/** Mul: x * sigmoid(x) (silu), the tail of a gelu pattern handled in `gelu`, or a Multiply layer. */
const mul: NodeImporter = (c, node) => {
  const [a, b] = node.input;
  const producer = (n: string | undefined) => c.nodes.find((m) => m.output.includes(n ?? ''));
  for (const [x, s] of [
    [a, b],
    [b, a],
  ] as const) {
    const p = producer(s);
    if (p?.opType === 'Sigmoid' && p.input[0] === x) {
      const rec = c.tensor(x);
      c.set(node.output[0]!, {
        t: c.apply('Activation', { activation: 'silu' }, [rec.t]),
        perm: rec.perm,
      });
      return;
    }
  }
  if (node.input.some((n) => c.value(n).kind !== 'tensor'))
    throw new Error('Mul by a constant is only supported inside a gelu pattern');
  merge(c, 'Multiply', node);
};

/** Div(x, √2) → Erf → Add 1 → Mul x → Mul 0.5: Keel's exported gelu. */
const gelu: NodeImporter = (c, node) => {
  const divisor = c.constant(node.input[1], 'the divisor');
  const fail = () =>
    new Error('Div is only supported as part of a gelu pattern (x / √2 → Erf → +1 → ·x → ·0.5)');
  if (divisor.size !== 1 || Math.abs(divisor.data[0]! - Math.SQRT2) > 1e-6) throw fail();
  const x = node.input[0]!;
  const erf = c.onlyConsumer(node.output[0]!, 'Erf');
  const add = erf === null ? null : c.onlyConsumer(c.nodes[erf]!.output[0]!, 'Add');
  const mul1 = add === null ? null : c.onlyConsumer(c.nodes[add]!.output[0]!, 'Mul');
  const mul2 = mul1 === null ? null : c.onlyConsumer(c.nodes[mul1]!.output[0]!, 'Mul');
  if (mul2 === null || !c.nodes[mul1!]!.input.includes(x)) throw fail();
  const rec = c.tensor(x);
  for (const i of [erf!, add!, mul1!, mul2]) c.skip(i);
  c.set(c.nodes[mul2]!.output[0]!, {
    t: c.apply('Activation', { activation: 'gelu' }, [rec.t]),
    perm: rec.perm,
  });
};

/** Activations, arithmetic and merges: ONNX op type → importer. */
export const ELEMENTWISE_IMPORTERS: Readonly<Record<string, NodeImporter>> = {
  Identity: alias,
  Dropout: alias,
  Cast: cast,
  Relu: activation('relu'),
  Sigmoid: activation('sigmoid'),
  Tanh: activation('tanh'),
  Elu: activation('elu'),
  Selu: activation('selu'),
  Softplus: activation('softplus'),
  Softsign: activation('softsign'),
  Exp: activation('exponential'),
  HardSigmoid: hardSigmoid,
  LeakyRelu: leakyRelu,
  ThresholdedRelu: thresholdedRelu,
  Clip: clip,
  Softmax: softmax,
  LogSoftmax: softmax,
  Div: gelu,
  Mul: mul,
  Add: add,
  Sum: add,
  Concat: (c, node) => merge(c, 'Concatenate', node, intAttr(node, 'axis', 0)),
};
