import type { Tensor } from './tensor.js';

function formatValue(v: number, isFloat: boolean, precision: number): string {
  if (!isFloat) return String(v);
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-4)) return v.toExponential(precision);
  return v.toFixed(precision);
}

/**
 * NumPy-style printing: nested brackets, aligned columns, long axes elided with '...'.
 * `Tensor([[1.0000, 2.0000], [3.0000, 4.0000]], shape=[2, 2], dtype=float32)`
 */
export function formatTensor(t: Tensor, { maxItems = 6, precision = 4 } = {}): string {
  const isFloat = t.dtype === 'float32' || t.dtype === 'bfloat16';
  const d = t.data;
  const shape = t.shape;
  const cells: string[] = [];
  for (let i = 0; i < Math.min(d.length, 1000); i++)
    cells.push(formatValue(d[i]!, isFloat, precision));
  const width = cells.reduce((w, s) => Math.max(w, s.length), 0);
  const strides: number[] = [];
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  const show = (i: number) => formatValue(d[i]!, isFloat, precision).padStart(width);
  const render = (dim: number, offset: number, indent: string): string => {
    if (dim === shape.length) return show(offset);
    const n = shape[dim]!;
    const idx: (number | null)[] = [];
    if (n > maxItems) {
      const half = Math.floor(maxItems / 2);
      for (let i = 0; i < half; i++) idx.push(i);
      idx.push(null);
      for (let i = n - half; i < n; i++) idx.push(i);
    } else for (let i = 0; i < n; i++) idx.push(i);
    const parts = idx.map((i) =>
      i === null ? '...' : render(dim + 1, offset + i * strides[dim]!, `${indent} `),
    );
    const sep = dim === shape.length - 1 ? ', ' : `,\n${indent} `;
    return `[${parts.join(sep)}]`;
  };
  const body = render(0, 0, '       ');
  return `Tensor(${body}, shape=[${shape.join(', ')}], dtype=${t.dtype})`;
}
