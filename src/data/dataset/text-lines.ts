import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** Streams the lines of a text file (UTF-8, without line endings), paused while the consumer is busy. */
export async function* readTextLines(path: string, skipEmpty = false): AsyncGenerator<string> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (e) =>
      reject(new Error(`Dataset.textLines: cannot read ${path}: ${e.message}`)),
    );
  });
  await opened;
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of lines) if (!skipEmpty || line.length > 0) yield line;
  } finally {
    lines.close();
    stream.destroy();
  }
}
