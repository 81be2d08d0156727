/**
 * Fills Python-style fields in a checkpoint path: `{epoch}`, `{epoch:02d}`, `{val_loss:.4f}`,
 * `{batch}`. Unknown fields are an error naming the field and the values available.
 * `formatCheckpointPath('ckpt-{epoch:02d}.keel', {epoch: 3})` → 'ckpt-03.keel'
 */
export function formatCheckpointPath(
  pattern: string,
  values: Readonly<Record<string, number>>,
): string {
  return pattern.replace(
    /\{(\w+)(?::([^}]*))?\}/g,
    (_m, name: string, spec: string | undefined) => {
      const v = values[name];
      if (v === undefined) {
        throw new Error(
          `ModelCheckpoint: filepath field '{${name}}' has no value; available: ${Object.keys(values).join(', ')}`,
        );
      }
      if (!spec) return String(v);
      const m = /^(0?)(\d*)(?:\.(\d+))?([dfe])$/.exec(spec);
      if (!m)
        throw new Error(
          `ModelCheckpoint: unsupported format '{${name}:${spec}}' (use d, .Nf or .Ne)`,
        );
      const [, zero, width, precision, kind] = m;
      let s =
        kind === 'd'
          ? String(Math.trunc(v))
          : kind === 'f'
            ? v.toFixed(Number(precision ?? 6))
            : v.toExponential(Number(precision ?? 6));
      const w = Number(width || 0);
      if (s.length < w) s = (zero ? '0' : ' ').repeat(w - s.length) + s;
      return s;
    },
  );
}
