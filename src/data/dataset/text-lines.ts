import { regularFileStream } from '../../utils/safe-file.js';

/** Options of `Dataset.textLines`. */
export interface TextLinesOptions {
  /** Drop empty lines (default false). */
  skipEmpty?: boolean;
  /**
   * Longest line accepted, in UTF-16 characters (default 2**24, 16 Mi): a longer line is an
   * error instead of one string the size of the file (a 3 GiB file with no newline).
   */
  maxLineLength?: number;
}

/** The default of `TextLinesOptions.maxLineLength`. */
export const DEFAULT_MAX_LINE_LENGTH = 2 ** 24;

/**
 * Streams the lines of a text file (UTF-8, without line endings: \n, \r\n or a lone \r, as
 * readline splits them), paused while the consumer is busy. The file is opened and checked
 * first: a FIFO, a device or a directory is an error; so is a line over `maxLineLength`.
 */
export async function* readTextLines(
  path: string,
  { skipEmpty = false, maxLineLength = DEFAULT_MAX_LINE_LENGTH }: TextLinesOptions = {},
): AsyncGenerator<string> {
  if (!(Number.isSafeInteger(maxLineLength) && maxLineLength > 0)) {
    throw new RangeError(
      `Dataset.textLines: maxLineLength must be a positive integer, got ${maxLineLength}`,
    );
  }
  const stream = regularFileStream(path, 'Dataset.textLines', 'utf8');
  let pending = '';
  let lineNumber = 0;
  const tooLong = () =>
    new Error(
      `Dataset.textLines: ${path}: line ${lineNumber + 1} is longer than maxLineLength=${maxLineLength} characters (pass a larger maxLineLength for a trusted file)`,
    );
  const ending = /\r\n|\n|\r/g;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      pending += chunk;
      ending.lastIndex = 0;
      let start = 0;
      for (let m = ending.exec(pending); m !== null; m = ending.exec(pending)) {
        // A \r at the end of the text read so far may be the first half of a \r\n.
        if (m[0] === '\r' && m.index === pending.length - 1) break;
        const line = pending.slice(start, m.index);
        start = m.index + m[0].length;
        if (line.length > maxLineLength) throw tooLong();
        lineNumber++;
        if (!skipEmpty || line.length > 0) yield line;
      }
      pending = pending.slice(start);
      if (pending.length > maxLineLength + 1) throw tooLong();
    }
    const last = pending.endsWith('\r') ? pending.slice(0, -1) : pending;
    if (last.length > maxLineLength) throw tooLong();
    if (pending.length > 0 && (!skipEmpty || last.length > 0)) yield last;
  } catch (e) {
    const message = (e as Error).message;
    throw new Error(
      message.startsWith('Dataset.textLines:')
        ? message
        : `Dataset.textLines: cannot read ${path}: ${message}`,
    );
  } finally {
    stream.destroy();
  }
}
