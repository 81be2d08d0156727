/**
 * The search space, defined by running: `build(hp)` asks `hp.int('filters', 8, 64)` and gets this
 * trial's value (KerasTuner's HyperParameters, Optuna's define-by-run). Each definition is recorded
 * as a spec; a parameter defined inside `hp.conditionalScope(parent, values, fn)` exists only when
 * the parent takes one of those values.
 */

/** A hyperparameter's value: numbers, strings and booleans only (they are stored as JSON). */
export type ParamValue = number | string | boolean;
/** One trial's hyperparameter values by name. */
export type Params = Record<string, ParamValue>;

/** When a parameter is active: its parent parameter has one of `values`. */
export interface Condition {
  parent: string;
  values: readonly ParamValue[];
}

interface SpecBase {
  name: string;
  conditions: readonly Condition[];
}
/** An integer parameter from `min` to `max` in steps of `step`, linear or log sampling. */
export interface IntSpec extends SpecBase {
  type: 'int';
  min: number;
  max: number;
  step: number;
  sampling: 'linear' | 'log';
}
/**
 * A float parameter from `min` to `max` (stepped, or continuous with step 0), linear or log
 * sampling.
 */
export interface FloatSpec extends SpecBase {
  type: 'float';
  min: number;
  max: number;
  /** 0: continuous. */
  step: number;
  sampling: 'linear' | 'log';
}
/** A parameter taking one of `values`. */
export interface ChoiceSpec extends SpecBase {
  type: 'choice';
  values: readonly ParamValue[];
}
/** A true/false parameter. */
export interface BooleanSpec extends SpecBase {
  type: 'boolean';
}
/** A parameter with one fixed value (recorded, never searched). */
export interface FixedSpec extends SpecBase {
  type: 'fixed';
  value: ParamValue;
}
/** The definition of one search-space parameter, by `type`. */
export type ParamSpec = IntSpec | FloatSpec | ChoiceSpec | BooleanSpec | FixedSpec;

/** Draws the value of a parameter seen for the first time in a trial (an algorithm's sampler). */
export type Sampler = (spec: ParamSpec) => ParamValue;

/** Options of `hp.int` and `hp.float`: a step, the sampling scale and the default value. */
export interface NumberOptions {
  step?: number;
  sampling?: 'linear' | 'log';
  default?: number;
}

function fail(name: string, message: string): never {
  throw new RangeError(`HyperParameters '${name}': ${message}`);
}

/** The value a parameter takes when nothing chose one: KerasTuner's defaults (min, first choice, false). */
export function defaultValue(spec: ParamSpec): ParamValue {
  switch (spec.type) {
    case 'int':
    case 'float':
      return spec.min;
    case 'choice':
      return spec.values[0]!;
    case 'boolean':
      return false;
    case 'fixed':
      return spec.value;
  }
}

/** Whether `value` is one `spec` can take (used to validate stored and given values). */
export function isValidValue(spec: ParamSpec, value: ParamValue): boolean {
  switch (spec.type) {
    case 'int':
      return (
        Number.isInteger(value) && (value as number) >= spec.min && (value as number) <= spec.max
      );
    case 'float':
      return typeof value === 'number' && value >= spec.min && value <= spec.max;
    case 'choice':
      return spec.values.includes(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'fixed':
      return value === spec.value;
  }
}

function sameSpec(a: ParamSpec, b: ParamSpec): boolean {
  const { conditions: _a, ...ra } = a;
  const { conditions: _b, ...rb } = b;
  return JSON.stringify(ra) === JSON.stringify(rb);
}

/** Describes a spec for error messages: `int [8, 64] step 1`. */
export function describeSpec(spec: ParamSpec): string {
  switch (spec.type) {
    case 'int':
    case 'float':
      return `${spec.type} [${spec.min}, ${spec.max}]${spec.step ? ` step ${spec.step}` : ''} ${spec.sampling}`;
    case 'choice':
      return `choice ${JSON.stringify(spec.values)}`;
    case 'boolean':
      return 'boolean';
    case 'fixed':
      return `fixed ${JSON.stringify(spec.value)}`;
  }
}

/**
 * The hyperparameters of one trial. `values` are the trial's chosen values; a parameter without
 * one is drawn by `sampler` (or takes its default) and remembered.
 * `const hp = new HyperParameters(); const units = hp.int('units', 32, 512, { step: 32 });`
 */
export class HyperParameters {
  /** Every parameter defined so far, in definition order (the search space). */
  readonly space: ParamSpec[] = [];
  /** The active parameters' values. */
  readonly values: Params = {};
  private readonly scopes: Condition[] = [];
  private readonly given: Params;

  /** `values`: chosen values (a trial's); parameters without one are drawn by `sampler`. */
  constructor(
    values: Params = {},
    private readonly sampler?: Sampler,
  ) {
    this.given = { ...values };
  }

  /** An integer in [min, max] (both included) on a grid of `step`, linear or log sampled. */
  int(name: string, min: number, max: number, options: NumberOptions = {}): number {
    const { step = 1, sampling = 'linear' } = options;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min > max)
      fail(name, `int needs integers min <= max, got [${min}, ${max}]`);
    if (!Number.isInteger(step) || step < 1)
      fail(name, `int step must be a positive integer, got ${step}`);
    if (sampling === 'log' && min <= 0) fail(name, `log sampling needs min > 0, got ${min}`);
    return this.define(
      { type: 'int', name, min, max, step, sampling, conditions: [] },
      options.default,
    ) as number;
  }

  /** A float in [min, max]; `sampling: 'log'` spreads draws evenly over orders of magnitude. */
  float(name: string, min: number, max: number, options: NumberOptions = {}): number {
    const { step = 0, sampling = 'linear' } = options;
    if (!Number.isFinite(min) || !Number.isFinite(max) || min > max)
      fail(name, `float needs finite min <= max, got [${min}, ${max}]`);
    if (!(step >= 0)) fail(name, `float step must be >= 0, got ${step}`);
    if (sampling === 'log' && min <= 0) fail(name, `log sampling needs min > 0, got ${min}`);
    return this.define(
      { type: 'float', name, min, max, step, sampling, conditions: [] },
      options.default,
    ) as number;
  }

  /** One of `values` (numbers, strings or booleans, all of one type). */
  choice<V extends ParamValue>(
    name: string,
    values: readonly V[],
    options: { default?: V } = {},
  ): V {
    if (values.length === 0) fail(name, 'choice needs at least one value');
    if (new Set(values.map((v) => typeof v)).size > 1)
      fail(name, `choice values must share one type, got ${JSON.stringify(values)}`);
    if (new Set(values).size !== values.length)
      fail(name, `choice values repeat: ${JSON.stringify(values)}`);
    return this.define(
      { type: 'choice', name, values: [...values], conditions: [] },
      options.default,
    ) as V;
  }

  /** true or false. */
  boolean(name: string, options: { default?: boolean } = {}): boolean {
    return this.define({ type: 'boolean', name, conditions: [] }, options.default) as boolean;
  }

  /** A value that does not vary, recorded with the trial. */
  fixed<V extends ParamValue>(name: string, value: V): V {
    return this.define({ type: 'fixed', name, value, conditions: [] }) as V;
  }

  /**
   * Runs `fn` when `parent` has one of `values`; parameters defined inside exist only then.
   * `if (hp.choice('model', ['cnn', 'mlp']) === 'cnn') hp.conditionalScope('model', ['cnn'], () => hp.int('filters', 8, 64))`
   */
  conditionalScope<T>(parent: string, values: readonly ParamValue[], fn: () => T): T | undefined {
    if (!Object.hasOwn(this.values, parent) || !this.space.some((s) => s.name === parent))
      fail(parent, 'conditionalScope names a parameter that is not defined yet');
    if (!values.includes(this.values[parent]!)) return undefined;
    this.scopes.push({ parent, values: [...values] });
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  /** The value of an active parameter. */
  get(name: string): ParamValue {
    if (!Object.hasOwn(this.values, name))
      fail(
        name,
        `not defined in this trial (defined: ${Object.keys(this.values).join(', ') || 'none'})`,
      );
    return this.values[name]!;
  }

  private define(spec: ParamSpec, fallback?: ParamValue): ParamValue {
    const { name } = spec;
    if (typeof name !== 'string' || name === '')
      throw new RangeError('HyperParameters: a parameter needs a non-empty name');
    const withScope = { ...spec, conditions: [...this.scopes] } as ParamSpec;
    const known = this.space.find((s) => s.name === name);
    if (known) {
      if (!sameSpec(known, withScope))
        fail(
          name,
          `redefined as ${describeSpec(withScope)}, but it was defined as ${describeSpec(known)}`,
        );
      return this.values[name]!;
    }
    if (fallback !== undefined && !isValidValue(withScope, fallback))
      fail(name, `default ${JSON.stringify(fallback)} is outside ${describeSpec(withScope)}`);
    this.space.push(withScope);
    let value = Object.hasOwn(this.given, name) ? this.given[name] : undefined;
    if (value === undefined)
      value = this.sampler ? this.sampler(withScope) : (fallback ?? defaultValue(withScope));
    else if (!isValidValue(withScope, value))
      fail(name, `value ${JSON.stringify(value)} is outside ${describeSpec(withScope)}`);
    this.values[name] = value;
    return value;
  }
}
