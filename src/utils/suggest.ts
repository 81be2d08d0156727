/**
 * Edit distance between two strings: insertions, deletions, substitutions and swaps of two
 * neighbouring characters (optimal string alignment), so 'modle' is one edit from 'model'.
 */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      }
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The known name closest to `name` (case-insensitive edit distance, at most a third of its length
 * plus one), for "did you mean" messages. `closestName('epoch', ['epochs']) // 'epochs'`
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.floor(name.length / 3) + 1;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** " (did you mean 'x'?)" when a close name exists, else a list of the known names. */
export function suggestion(name: string, known: readonly string[]): string {
  const close = closestName(name, known);
  return close ? ` (did you mean '${close}'?)` : ` (known: ${known.join(', ')})`;
}
