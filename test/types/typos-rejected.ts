// Compiled by `tsc --noEmit -p .` (strict) in `npm run lint`, never run: each @ts-expect-error
// below fails the type check if the public types stop rejecting the typo under it (issue 19).
// Loss, optimizer and activation names are still typed as plain strings, so their typos are not
// rejected yet; they join this file when those identifiers become string-literal unions.
import { layers } from '../../src/index.js';

export function typosRejected(): void {
  // @ts-expect-error: a misspelled option name is not a Dense option
  new layers.Dense(10, { activaton: 'relu' });
}
