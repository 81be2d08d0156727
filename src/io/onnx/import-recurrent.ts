import { Tensor } from '../../tensor/tensor.js';
import { permute } from './builder.js';
import { attr, intAttr, intsAttr, type NodeImporter } from './import-context.js';

/**
 * A forward LSTM, GRU or RNN node: the Keel layer of the same kind. Its outputs Y and Y_h are
 * bound as recurrent outputs, which only the Squeeze that drops the direction axis may read.
 */
const recurrent: NodeImporter = (c, node) => {
  const kind = node.opType;
  const gates = kind === 'LSTM' ? 4 : kind === 'GRU' ? 3 : 1;
  // ONNX gate order → Keel's: LSTM i,o,f,c → i,f,c,o; GRU z,r,h in both.
  const order = kind === 'LSTM' ? [0, 3, 1, 2] : kind === 'GRU' ? [0, 1, 2] : [0];
  if ((attr(node, 'direction') ?? 'forward') !== 'forward')
    throw new Error('only forward recurrences are supported');
  if (intAttr(node, 'layout', 0) !== 0) throw new Error('only layout=0 is supported');
  if (node.input.slice(4).some((n, k) => n && !(k >= 1 && k <= 2 && c.zeroState(n))))
    throw new Error('sequence_lens, non-zero initial states and peepholes are not supported');
  const W = c.constant(node.input[1], 'W');
  const R = c.constant(node.input[2], 'R');
  const B = c.optionalConstant(node, 3);
  const units = intAttr(node, 'hidden_size', R.shape.at(-1) ?? 0);
  if (
    W.rank !== 3 ||
    W.shape[0] !== 1 ||
    W.shape[1] !== gates * units ||
    R.shape.join() !== [1, gates * units, units].join()
  )
    throw new Error(`W [${W.shape}] / R [${R.shape}] do not match hidden_size ${units}`);
  const acts = attr(node, 'activations');
  if (Array.isArray(acts) && acts.length > 0) {
    const ok =
      kind === 'RNN'
        ? ['Tanh']
        : kind === 'LSTM'
          ? ['Sigmoid', 'Tanh', 'Tanh']
          : ['Sigmoid', 'Tanh'];
    if ((acts as unknown as string[]).join() !== ok.join())
      throw new Error(`activations [${acts}] are not supported`);
  }
  const fromOnnx = (t: Tensor, rows: number): Float32Array => {
    // [1, G·u, rows] → [rows, G·u] in Keel's gate order
    const p = permute(t.data as Float32Array, [gates * units, rows], [1, 0]).data;
    const out = new Float32Array(p.length);
    const cols = gates * units;
    for (let r = 0; r < rows; r++)
      order.forEach((g, i) => {
        out.set(p.subarray(r * cols + i * units, r * cols + (i + 1) * units), r * cols + g * units);
      });
    return out;
  };
  const features = W.shape[2]!;
  const weights = [
    new Tensor(fromOnnx(W, features), [features, gates * units], 'float32'),
    new Tensor(fromOnnx(R, units), [units, gates * units], 'float32'),
  ];
  const resetAfter = kind === 'GRU' && intAttr(node, 'linear_before_reset', 0) === 1;
  const biasBlocks = (data: Float32Array) =>
    fromOnnx(new Tensor(data, [1, gates * units, 1], 'float32'), 1);
  const b = B ? (B.data as Float32Array) : new Float32Array(2 * gates * units);
  const inputBias = biasBlocks(b.slice(0, gates * units));
  const recBias = biasBlocks(b.slice(gates * units));
  if (resetAfter) {
    const both = new Float32Array(2 * gates * units);
    both.set(inputBias, 0);
    both.set(recBias, gates * units);
    weights.push(new Tensor(both, [2, gates * units], 'float32'));
  } else {
    weights.push(
      new Tensor(
        inputBias.map((v, i) => v + recBias[i]!),
        [gates * units],
        'float32',
      ),
    );
  }
  const [Y, Yh] = node.output;
  const usesY = !!Y && c.consumers(Y).length > 0;
  const usesYh = !!Yh && c.consumers(Yh).length > 0;
  if (usesY && usesYh) throw new Error('using both Y and Y_h is not supported');
  const x = c.inLayout(c.tensor(node.input[0]), [1, 0, 2]);
  const cls = kind === 'RNN' ? 'SimpleRNN' : kind;
  const config: Record<string, unknown> = { units, returnSequences: usesY };
  if (kind === 'GRU') config['resetAfter'] = resetAfter;
  const y = c.apply(cls, config, [x], weights);
  if (usesY) c.setValue(Y!, { kind: 'rnnY', t: y });
  if (Yh) c.setValue(Yh, { kind: 'rnnYh', t: y });
};

/** Squeeze of a recurrent output's direction axis: Y [T, 1, B, u] → [T, B, u], Y_h [1, B, u] → [B, u]. */
const squeeze: NodeImporter = (c, node) => {
  const v = c.value(node.input[0]);
  const axes = node.input[1]
    ? Array.from(c.constant(node.input[1], 'axes').data)
    : intsAttr(node, 'axes', []);
  if (v.kind === 'rnnY' && axes.join() === '1') {
    c.set(node.output[0]!, { t: v.t, perm: [1, 0, 2] });
    return;
  }
  if (v.kind === 'rnnYh' && axes.join() === '0') {
    c.set(node.output[0]!, { t: v.t, perm: null });
    return;
  }
  throw new Error('Squeeze is only supported on the outputs of LSTM/GRU/RNN');
};

/** Recurrent layers and the Squeezes that read them: ONNX op type → importer. */
export const RECURRENT_IMPORTERS: Readonly<Record<string, NodeImporter>> = {
  LSTM: recurrent,
  GRU: recurrent,
  RNN: recurrent,
  Squeeze: squeeze,
};
