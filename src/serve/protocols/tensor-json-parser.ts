/**
 * A JSON parser for predict bodies, where nearly everything is numbers: it gives what JSON.parse
 * gives, except that a rectangular nested list of at least 64 numbers comes back as one
 * `NumericBlock` (its shape and its values in a typed array) instead of a tree of JS arrays. The
 * numbers are converted as they are read: a decimal of up to 15 significant digits exactly
 * (Clinger's fast path: an exact integer over an exact power of ten, one rounding), and, for
 * float32 inputs, one of 16 to 19 digits through a double that is off by a few ulps at most and is
 * rounded to float32 only when it lies clearly away from a float32 rounding boundary; anything
 * else (exponents, more digits, a value near a boundary) goes through Number(), so every value is
 * bit for bit Math.fround(JSON.parse(...)) (float32) or JSON.parse(...) (otherwise). For the
 * seed CNN's 28x28 image that is several times faster than JSON.parse and the walk over its
 * 812 arrays; the server's main cost per request was exactly that.
 */
import { HttpError } from './http-error.js';

/** A rectangular nested list of numbers, row-major. */
export class NumericBlock {
  constructor(
    readonly shape: number[],
    /** Float32Array (already rounded) when parsed for float32, else the exact doubles. */
    readonly values: Float32Array | Float64Array,
    /** Float32 mode: the first value that is not a finite float32 (as a double), if any. */
    readonly bad: number | undefined,
  ) {}
}

export interface TensorJsonOptions {
  /** Deepest nesting of lists and objects accepted (400 beyond). */
  maxDepth: number;
  /** Every number in a block ends up float32: convert them so. */
  float32: boolean;
}

/** Blocks hold at least this many numbers: smaller lists stay JS arrays (shapes, short rows). */
export const MIN_BLOCK = 64;

const FLOAT32_MAX = 3.4028234663852886e38;
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
const bits32 = new Float32Array(1);
const u32 = new Uint32Array(bits32.buffer);

class JsonSyntaxError extends Error {}
class DepthError extends Error {}

/** Parses `text` (a whole body); JSON errors and nesting beyond maxDepth throw a 400. */
export function parseTensorJson(text: string, options: TensorJsonOptions): unknown {
  const parser = new Parser(text, options);
  try {
    const value = parser.value(0);
    parser.ws();
    if (parser.i < text.length) parser.fail();
    return value;
  } catch (e) {
    if (e instanceof DepthError) throw new HttpError(400, `request body: ${e.message}`);
    if (e instanceof JsonSyntaxError || e instanceof SyntaxError)
      throw new HttpError(400, `request body: invalid JSON (${e.message})`);
    throw e;
  }
}

let scratch32 = new Float32Array(4096);
let scratch64 = new Float64Array(4096);

class Parser {
  i = 0;
  private readonly n: number;
  // The block being read: its shape so far, rank (-1 until the first number), values, count.
  private dims: number[] = [];
  private rank = -1;
  private count = 0;
  private bad: number | undefined = undefined;

  constructor(
    private readonly s: string,
    private readonly options: TensorJsonOptions,
  ) {
    this.n = s.length;
  }

  fail(): never {
    if (this.i >= this.n) throw new JsonSyntaxError('Unexpected end of JSON input');
    throw new JsonSyntaxError(
      `Unexpected token ${JSON.stringify(this.s[this.i])} at position ${this.i}`,
    );
  }

  ws(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
    this.i = i;
  }

  /** A value whose containers are at nesting `depth + 1`. */
  value(depth: number): unknown {
    this.ws();
    const c = this.s.charCodeAt(this.i);
    if (c === 91) return this.array(depth + 1);
    if (c === 123) return this.object(depth + 1);
    if (c === 34) return this.string();
    if (c === 45 || (c >= 48 && c <= 57)) return this.number();
    if (c === 116) return this.literal('true', true);
    if (c === 102) return this.literal('false', false);
    if (c === 110) return this.literal('null', null);
    return this.fail();
  }

  private literal<T>(word: string, value: T): T {
    if (!this.s.startsWith(word, this.i)) this.fail();
    this.i += word.length;
    return value;
  }

  private checkDepth(depth: number): void {
    if (depth > this.options.maxDepth)
      throw new DepthError(`JSON nested deeper than ${this.options.maxDepth} levels`);
  }

  private object(depth: number): Record<string, unknown> {
    this.checkDepth(depth);
    this.i++;
    const out: Record<string, unknown> = {};
    this.ws();
    if (this.s.charCodeAt(this.i) === 125) {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.i) !== 34) this.fail();
      const key = this.string();
      this.ws();
      if (this.s.charCodeAt(this.i) !== 58) this.fail();
      this.i++;
      const v = this.value(depth);
      // As JSON.parse: "__proto__" is an own property, never the prototype.
      if (key === '__proto__')
        Object.defineProperty(out, key, {
          value: v,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else out[key] = v;
      if (!this.more(125)) return out;
    }
  }

  /** After an element: true past a comma (more follow), false past `close`; else a syntax error. */
  private more(close: number): boolean {
    this.ws();
    const c = this.s.charCodeAt(this.i);
    if (c !== 44 && c !== close) this.fail();
    this.i++;
    return c === 44;
  }

  private string(): string {
    const s = this.s;
    const start = this.i + 1;
    let i = start;
    let escaped = false;
    for (;;) {
      if (i >= this.n) {
        this.i = i;
        this.fail();
      }
      const c = s.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        i += 2;
      } else if (c < 32) {
        this.i = i;
        this.fail();
      } else i++;
    }
    this.i = i + 1;
    // Escapes are rare in these bodies: the engine decodes (and checks) them.
    return escaped ? (JSON.parse(s.slice(start - 1, i + 1)) as string) : s.slice(start, i);
  }

  /** A number outside blocks: checked against JSON's grammar, converted exactly. */
  private number(): number {
    const start = this.i;
    if (!this.scanNumber()) this.fail();
    return Number(this.s.slice(start, this.i));
  }

  /** Moves past one JSON number; false (position unspecified) if the text is not one. */
  private scanNumber(): boolean {
    const s = this.s;
    let i = this.i;
    let c = s.charCodeAt(i);
    if (c === 45) c = s.charCodeAt(++i);
    if (c === 48) c = s.charCodeAt(++i);
    else if (c >= 49 && c <= 57) while (c >= 48 && c <= 57) c = s.charCodeAt(++i);
    else return false;
    if (c === 46) {
      c = s.charCodeAt(++i);
      if (!(c >= 48 && c <= 57)) return false;
      while (c >= 48 && c <= 57) c = s.charCodeAt(++i);
    }
    if (c === 101 || c === 69) {
      c = s.charCodeAt(++i);
      if (c === 43 || c === 45) c = s.charCodeAt(++i);
      if (!(c >= 48 && c <= 57)) return false;
      while (c >= 48 && c <= 57) c = s.charCodeAt(++i);
    }
    this.i = i;
    return true;
  }

  private array(depth: number): unknown[] | NumericBlock {
    this.checkDepth(depth);
    const start = this.i;
    const block = this.block(depth);
    if (block) return block;
    // Not a block: read it as JS values (from the start again).
    this.i = start + 1;
    const out: unknown[] = [];
    this.ws();
    if (this.s.charCodeAt(this.i) === 93) {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth));
      if (!this.more(93)) return out;
    }
  }

  /** The list at `this.i` as a NumericBlock, or null (it is not rectangular numbers, or small). */
  private block(depth: number): NumericBlock | null {
    this.dims = [];
    this.rank = -1;
    this.count = 0;
    this.bad = undefined;
    if (!this.level(0, depth) || this.count < MIN_BLOCK) return null;
    const values = this.options.float32
      ? scratch32.slice(0, this.count)
      : scratch64.slice(0, this.count);
    // A huge body's scratch is not kept.
    if (scratch32.length > 1 << 20) scratch32 = new Float32Array(4096);
    if (scratch64.length > 1 << 20) scratch64 = new Float64Array(4096);
    return new NumericBlock(this.dims.slice(), values, this.bad);
  }

  /** One list of the block at nesting level k (0: the outermost); false to give up. */
  private level(k: number, depth: number): boolean {
    const s = this.s;
    this.i++;
    if (s.charCodeAt(this.i) <= 32) this.ws();
    if (s.charCodeAt(this.i) === 93) return false; // empty: not a block
    let length = 0;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c === 91) {
        if ((this.rank >= 0 && k + 1 >= this.rank) || depth + k + 1 > this.options.maxDepth)
          return false;
        if (!this.level(k + 1, depth)) return false;
      } else if (c === 45 || (c >= 48 && c <= 57)) {
        if (this.rank < 0) this.rank = k + 1;
        else if (k !== this.rank - 1) return false;
        if (!this.blockNumber()) return false;
      } else return false;
      length++;
      let d = s.charCodeAt(this.i);
      if (d <= 32) {
        this.ws();
        d = s.charCodeAt(this.i);
      }
      if (d === 44) {
        this.i++;
        if (s.charCodeAt(this.i) <= 32) this.ws();
      } else if (d === 93) {
        this.i++;
        break;
      } else return false;
    }
    // Inner lists close first: dims[k] is set by the first list of level k to close.
    const known = this.dims[k];
    if (known === undefined) this.dims[k] = length;
    else if (known !== length) return false;
    return true;
  }

  /** Reads one number of a block into the scratch values; false if it is not a JSON number. */
  private blockNumber(): boolean {
    const s = this.s;
    const start = this.i;
    let i = start;
    let c = s.charCodeAt(i);
    const negative = c === 45;
    if (negative) c = s.charCodeAt(++i);
    // Up to 15 significant digits in `hi` (exact), 4 more in `lo`; `scale` fraction digits.
    let hi = 0;
    let lo = 0;
    let significant = 0;
    let loDigits = 0;
    let scale = 0;
    let slow = false;
    if (c === 48) {
      c = s.charCodeAt(++i);
      if (c >= 48 && c <= 57) return false; // a leading zero
    } else if (c >= 49 && c <= 57) {
      while (c >= 48 && c <= 57) {
        const d = c - 48;
        if (significant < 15) hi = hi * 10 + d;
        else if (loDigits < 4) {
          lo = lo * 10 + d;
          loDigits++;
        } else slow = true;
        significant++;
        c = s.charCodeAt(++i);
      }
    } else return false;
    if (c === 46) {
      c = s.charCodeAt(++i);
      if (!(c >= 48 && c <= 57)) return false;
      while (c >= 48 && c <= 57) {
        const d = c - 48;
        scale++;
        // Zeros before the first significant digit only scale.
        if (significant !== 0 || d !== 0) {
          if (significant < 15) hi = hi * 10 + d;
          else if (loDigits < 4) {
            lo = lo * 10 + d;
            loDigits++;
          } else slow = true;
          significant++;
        }
        c = s.charCodeAt(++i);
      }
    }
    if (c === 101 || c === 69) {
      slow = true;
      c = s.charCodeAt(++i);
      if (c === 43 || c === 45) c = s.charCodeAt(++i);
      if (!(c >= 48 && c <= 57)) return false;
      while (c >= 48 && c <= 57) c = s.charCodeAt(++i);
    }
    this.i = i;
    if (scale > 22) slow = true;
    const f32 = this.options.float32;
    let value = 0;
    let done = false;
    if (!slow && significant <= 15) {
      // Exact integer over an exact power of ten: correctly rounded (Clinger).
      const m = scale === 0 ? hi : hi / POW10[scale]!;
      value = negative ? -m : m;
      done = true;
    } else if (!slow && f32) {
      // Within a few ulps of the exact value: good enough unless near a float32 boundary.
      const approx = (hi * POW10[loDigits]! + lo) / POW10[scale]!;
      const f = Math.fround(approx);
      if (clearOfBoundary(approx, f)) {
        value = negative ? -f : f;
        done = true;
      }
    }
    if (!done) {
      value = Number(s.slice(start, i));
      if (f32 && (!Number.isFinite(value) || Math.abs(value) > FLOAT32_MAX)) {
        this.bad ??= value;
        value = 0;
      }
    }
    const n = this.count++;
    if (f32) {
      if (n === scratch32.length) scratch32 = grow(scratch32, Float32Array);
      scratch32[n] = value; // rounds to float32
    } else {
      if (n === scratch64.length) scratch64 = grow(scratch64, Float64Array);
      scratch64[n] = value;
    }
    return true;
  }
}

function grow<T extends Float32Array | Float64Array>(a: T, Type: { new (n: number): T }): T {
  const grown = new Type(2 * a.length);
  grown.set(a);
  return grown;
}

/**
 * Whether `approx` (a positive double within 2^-50 relative of the exact decimal) rounds to the
 * float32 `f` whatever the exact value is: it is farther than that from both rounding
 * boundaries around f (the midpoints to f's neighbours, exact in double arithmetic).
 */
function clearOfBoundary(approx: number, f: number): boolean {
  if (!(f > 0) || f === Number.POSITIVE_INFINITY) return false;
  bits32[0] = f;
  const b = u32[0]!;
  u32[0] = b + 1;
  const up = bits32[0]!;
  u32[0] = b - 1;
  const down = bits32[0]!;
  const tolerance = approx * 2 ** -50;
  return (
    Math.abs(approx - (f + up) / 2) > tolerance && Math.abs(approx - (f + down) / 2) > tolerance
  );
}
