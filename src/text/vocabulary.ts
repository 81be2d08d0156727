/** How equally frequent tokens are ordered: by first appearance, or Keras's adapt order (token descending). */
export type TieBreak = 'first' | 'keras';

/**
 * The `size` most frequent tokens, most frequent first. Ties are broken by first appearance in
 * the input ('first', like Keras's Tokenizer) or by the token in descending code-unit order
 * ('keras', like TextVectorization.adapt); either way independent of hash order.
 * `topTokens([['a', 'b', 'b']], 1)` is ['b'].
 */
export function topTokens(
  documents: Iterable<Iterable<string>>,
  size: number,
  tieBreak: TieBreak = 'first',
): string[] {
  // Entries in order of first appearance: [token, count, rank].
  const entries = [...tokenCounts(documents)].map(([t, c], i) => [t, c, i] as const);
  type Entry = (typeof entries)[number];
  const tie =
    tieBreak === 'first'
      ? (a: Entry, b: Entry) => a[2] - b[2]
      : (a: Entry, b: Entry) => (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0);
  entries.sort((a, b) => b[1] - a[1] || tie(a, b));
  return entries.slice(0, Math.max(0, size)).map((e) => e[0]);
}

/** How often each token occurs, in order of first appearance. */
export function tokenCounts(documents: Iterable<Iterable<string>>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const doc of documents) for (const t of doc) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}
