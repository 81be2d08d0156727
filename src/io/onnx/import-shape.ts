import { compose, intAttr, intsAttr, type NodeImporter } from './import-context.js';

/** A Transpose only changes the recorded layout; a Permute layer is made where one is needed. */
const transpose: NodeImporter = (c, node) => {
  const x = c.tensor(node.input[0]);
  const perm = intsAttr(
    node,
    'perm',
    x.t.shape.map((_, i) => x.t.shape.length - 1 - i),
  );
  c.set(node.output[0]!, { t: x.t, perm: compose(x.perm, perm) });
};

const flatten: NodeImporter = (c, node) => {
  if (intAttr(node, 'axis', 1) !== 1) throw new Error('only Flatten(axis=1) is supported');
  const x = c.realize(c.tensor(node.input[0]));
  c.set(node.output[0]!, {
    t: x.shape.length === 2 ? x : c.apply('Flatten', {}, [x]),
    perm: null,
  });
};

/** Reshape by a constant shape that keeps the batch axis (0 entries copy the input's dimension). */
const reshape: NodeImporter = (c, node) => {
  const x = c.realize(c.tensor(node.input[0]));
  const shape = Array.from(c.constant(node.input[1], 'the shape').data);
  if (intAttr(node, 'allowzero', 0) !== 0) throw new Error('allowzero=1 is not supported');
  if (shape[0] !== 0 && shape[0] !== -1)
    throw new Error(`Reshape must keep the batch axis (shape[0] = 0 or -1), got [${shape}]`);
  const target = shape.slice(1).map((d, i) => {
    if (d !== 0) return d;
    const keep = x.shape[i + 1];
    if (keep === null || keep === undefined)
      throw new Error(`Reshape copies unknown dimension ${i + 1}`);
    return keep;
  });
  c.set(node.output[0]!, {
    t: c.apply('Reshape', { targetShape: target }, [x]),
    perm: null,
  });
};

/** Layout and shape changes: ONNX op type → importer. */
export const SHAPE_IMPORTERS: Readonly<Record<string, NodeImporter>> = {
  Transpose: transpose,
  Flatten: flatten,
  Reshape: reshape,
};
