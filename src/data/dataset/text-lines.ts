import { createInterface } from 'node:readline';
import { regularFileStream } from '../../utils/safe-file.js';

/**
 * Streams the lines of a text file (UTF-8, without line endings), paused while the consumer is
 * busy. The file is opened and checked first: a FIFO, a device or a directory is an error.
 */
export async function* readTextLines(path: string, skipEmpty = false): AsyncGenerator<string> {
  const stream = regularFileStream(path, 'Dataset.textLines', 'utf8');
  // readline forwards the stream's errors to the loop below (Node >= 16).
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of lines) if (!skipEmpty || line.length > 0) yield line;
  } catch (e) {
    throw new Error(`Dataset.textLines: cannot read ${path}: ${(e as Error).message}`);
  } finally {
    lines.close();
    stream.destroy();
  }
}
