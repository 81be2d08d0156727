/**
 * Which tensor of a weights manifest goes into which weight of a model. Writers name weights
 * differently, and the converter orders them as HDF5 lists groups (alphabetically: 'dense_10'
 * before 'dense_2'), so position alone misloads real files. Names are tried in every form the
 * writers use, most specific first:
 * - Keel and tfjs: `layer/weight` (`dense_Dense1/kernel`);
 * - the converter's HDF5 names, with `:0` dropped, under a wrapper or nested model
 *   (`bidirectional/forward_lstm/kernel`, `time_distributed/kernel`, `model/dense/kernel`) and with
 *   the cell scope TF 2.2+ adds to recurrent weights (`lstm_6/lstm_cell_6/kernel`);
 * - Keras 3: `layer/<index>` (with `vars`/`cell` path segments dropped, as tfjs does).
 * Weights no name matches are filled by position among the unmatched ones when the counts agree;
 * shapes and dtypes are always checked, so a wrong guess is an error, never a silent misread.
 */
import type { Model } from '../../models/model.js';
import type { Tensor, Variable } from '../../tensor/tensor.js';

/** A manifest name with `:0` and the scopes no Keel name has (cells, Keras 3's vars) removed. */
function canonical(name: string): string {
  const parts = name.replace(/:0$/, '').split('/');
  return parts
    .filter(
      (p, i) =>
        i === parts.length - 1 ||
        !/^(vars|layers|_?layer_checkpoint_dependencies|cell|(\w+_)?cell(_\d+)?)$/.test(p),
    )
    .join('/');
}

/** The names a weight may carry in a file, most specific first. */
function candidates(top: string, weight: Variable, indexInTop: number): string[] {
  const segments = weight.name.split('/');
  const short = segments[segments.length - 1]!;
  const owner = segments.slice(0, -1);
  const path = owner[0] === top ? owner : [top, ...owner];
  const out: string[] = [];
  for (let i = 0; i < path.length; i++) out.push([...path.slice(i), short].join('/'));
  // A wrapper's weights named after the wrapper (Keras 2's TimeDistributed(Dense)).
  if (path.length > 1) out.push(`${top}/${short}`);
  out.push(`${top}/${indexInTop}`);
  return [...new Set(out)];
}

function sameShape(t: Tensor, w: Variable): boolean {
  return (
    t.dtype === w.dtype &&
    t.shape.length === w.shape.length &&
    t.shape.every((d, k) => d === w.shape[k])
  );
}

/** The manifest tensor for each of `model.weights`, in that order. */
export function matchWeights(model: Model, tensors: Map<string, Tensor>, source: string): Tensor[] {
  const weights = model.weights;
  const entries = [...tensors.entries()].map(([name, t]) => ({ key: canonical(name), name, t }));
  const used = new Set<number>();
  const chosen: (Tensor | undefined)[] = new Array(weights.length);
  const tops: { top: string; index: number }[] = [];
  for (const layer of model.layers) {
    for (let index = 0; index < layer.weights.length; index++)
      tops.push({ top: layer.name, index });
  }
  const topOf = new Map(weights.map((w, i) => [w, tops[i]]));
  weights.forEach((w, i) => {
    const exact = entries.findIndex((e) => e.name === w.name);
    if (exact >= 0 && !used.has(exact)) {
      used.add(exact);
      chosen[i] = entries[exact]!.t;
      return;
    }
    const where = topOf.get(w);
    if (!where) return;
    for (const c of candidates(where.top, w, where.index)) {
      const hits = entries
        .map((e, k) => ({ e, k }))
        .filter(({ e, k }) => !used.has(k) && (e.key === c || e.key.endsWith(`/${c}`)));
      if (hits.length === 1 && sameShape(hits[0]!.e.t, w)) {
        used.add(hits[0]!.k);
        chosen[i] = hits[0]!.e.t;
        return;
      }
      if (hits.length > 1) return;
    }
  });
  const missing = weights.map((_, i) => i).filter((i) => !chosen[i]);
  const rest = entries.map((_, k) => k).filter((k) => !used.has(k));
  if (missing.length > 0 && missing.length === rest.length) {
    missing.forEach((i, j) => {
      chosen[i] = entries[rest[j]!]!.t;
    });
  } else if (missing.length > 0) {
    throw new Error(
      `${source}: the manifest has no weight for ${missing.map((i) => `'${weights[i]!.name}'`).join(', ')} (unmatched in the file: ${rest.map((k) => `'${entries[k]!.name}'`).join(', ') || 'none'})`,
    );
  } else if (rest.length > 0) {
    throw new Error(
      `${source}: the manifest's weights ${rest.map((k) => `'${entries[k]!.name}'`).join(', ')} belong to no weight of the model`,
    );
  }
  return weights.map((w, i) => {
    const t = chosen[i]!;
    if (!sameShape(t, w)) {
      throw new Error(
        `${source}: weight for '${w.name}' is ${t.dtype} [${t.shape}], the model needs ${w.dtype} [${w.shape}]`,
      );
    }
    return t;
  });
}
