/**
 * What a search optimises: one or more logged metrics, each with a direction, plus constraints a
 * trial must meet to count. `params` is always available: the model's parameter count.
 */

export type Direction = 'max' | 'min';

/** A metric to optimise and its direction. */
export interface Objective {
  /** A metric in fit's logs ('val_accuracy', 'val_loss', ...) or 'params'. */
  name: string;
  direction: Direction;
}

/** `{ metric: 'params', max: 100_000 }`: a trial whose metric falls outside is infeasible. */
export interface Constraint {
  metric: string;
  min?: number;
  max?: number;
}

/** An objective: a metric name (direction inferred from it), an `Objective`, or a list of them. */
export type ObjectiveLike = string | Objective | readonly (string | Objective)[];

/** KerasTuner's inference: names with 'loss' or 'error' (and 'params') are minimised, others maximised. */
export function inferDirection(name: string): Direction {
  return /loss|error|params|latency|mse|mae/.test(name) ? 'min' : 'max';
}

/** Normalises 'val_accuracy', {name, direction} or a list of them. */
export function parseObjectives(objective: ObjectiveLike): Objective[] {
  const list = (Array.isArray(objective) ? objective : [objective]) as (string | Objective)[];
  if (list.length === 0) throw new RangeError('Tuner: objective needs at least one metric');
  const out = list.map((o) => {
    const obj = typeof o === 'string' ? { name: o, direction: inferDirection(o) } : o;
    if (typeof obj.name !== 'string' || obj.name === '')
      throw new RangeError(`Tuner: objective ${JSON.stringify(o)} needs a metric name`);
    if (obj.direction !== 'max' && obj.direction !== 'min')
      throw new RangeError(
        `Tuner: objective '${obj.name}' direction must be 'max' or 'min', got ${JSON.stringify(obj.direction)}`,
      );
    return { name: obj.name, direction: obj.direction };
  });
  const names = out.map((o) => o.name);
  if (new Set(names).size !== names.length)
    throw new RangeError(`Tuner: objective repeats a metric: ${names.join(', ')}`);
  return out;
}

/** Checks a constraint's form. */
export function checkConstraint(c: Constraint): Constraint {
  if (typeof c.metric !== 'string' || (c.min === undefined && c.max === undefined))
    throw new RangeError(
      `Tuner: constraint ${JSON.stringify(c)} needs a metric and a min or a max`,
    );
  return c;
}

/** The constraints `metrics` breaks, as readable text ('' when all hold; a missing metric breaks). */
export function violations(
  constraints: readonly Constraint[],
  metrics: Record<string, number>,
): string {
  const broken: string[] = [];
  for (const c of constraints) {
    const v = metrics[c.metric];
    if (v === undefined) broken.push(`${c.metric} was not logged`);
    else if (c.min !== undefined && v < c.min) broken.push(`${c.metric} = ${v} < ${c.min}`);
    else if (c.max !== undefined && v > c.max) broken.push(`${c.metric} = ${v} > ${c.max}`);
  }
  return broken.join('; ');
}

/** +value for 'max', -value for 'min': larger is always better. */
export function signed(objective: Objective, value: number): number {
  return objective.direction === 'max' ? value : -value;
}

/** The best value of a metric over epochs, in its direction (KerasTuner scores a trial this way). */
export function bestOf(objective: Objective, values: readonly number[]): number | null {
  let best: number | null = null;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (best === null || signed(objective, v) > signed(objective, best)) best = v;
  }
  return best;
}

/** Whether a dominates b: at least as good on every objective and better on one. */
export function dominates(
  objectives: readonly Objective[],
  a: readonly number[],
  b: readonly number[],
): boolean {
  let better = false;
  for (let i = 0; i < objectives.length; i++) {
    const sa = signed(objectives[i]!, a[i]!);
    const sb = signed(objectives[i]!, b[i]!);
    if (sa < sb) return false;
    if (sa > sb) better = true;
  }
  return better;
}

/** The items no other item dominates (the Pareto front), in the input order. */
export function paretoFront<T>(
  objectives: readonly Objective[],
  items: readonly T[],
  values: (t: T) => readonly number[],
): T[] {
  return items.filter(
    (a) => !items.some((b) => b !== a && dominates(objectives, values(b), values(a))),
  );
}
