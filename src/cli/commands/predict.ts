import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../../io/atomic-write.js';
import type { Model } from '../../models/model.js';
import { tensor } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { UsageError } from '../errors.js';
import { openModel } from '../model-files.js';
import { checkInputShape, intOption } from '../options.js';
import { readCsvSamples, readImages } from '../train-config/load-data.js';

const IMAGE = new Set(['.png', '.jpg', '.jpeg']);

function imageFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((e) => imageFiles(join(path, e)))
    .filter((f) => IMAGE.has(extname(f).toLowerCase()));
}

/** Reads the samples of a CSV, JSON or image input; each sample gets a name for the output. */
export async function readInputs(
  model: Model,
  path: string,
  options: { label?: string; scale?: number },
): Promise<{ x: Tensor; names: string[] }> {
  if (!existsSync(path)) throw new UsageError(`no such input file or folder: ${path}`);
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') {
    const { x } = await readCsvSamples(path, options.label);
    return { x, names: Array.from({ length: x.shape[0]! }, (_, i) => String(i)) };
  }
  if (ext === '.json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new UsageError(`${path}: not valid JSON: ${(e as Error).message}`);
    }
    const rows = Array.isArray(parsed) ? parsed : (parsed as { instances?: unknown }).instances;
    if (!Array.isArray(rows) || rows.length === 0) {
      throw new UsageError(
        `${path}: expected a non-empty JSON array of samples (or {"instances": [...]})`,
      );
    }
    let x: Tensor;
    try {
      x = tensor(rows as never);
    } catch (e) {
      throw new UsageError(
        `${path}: the samples are not a rectangular array of numbers: ${(e as Error).message}`,
      );
    }
    return { x, names: rows.map((_, i) => String(i)) };
  }
  const files = imageFiles(path);
  if (files.length === 0) throw new UsageError(`${path}: no .csv, .json or PNG/JPEG images`);
  const shape = model.inputs[0]?.shape ?? [];
  if (shape.length !== 4 || shape[1] == null || shape[2] == null) {
    throw new UsageError(
      `${path}: images need a model with an image input [h, w, c], this one takes [${shape.slice(1)}]`,
    );
  }
  const channels = shape[3] === 3 ? 3 : 1;
  const x = readImages(files, { imageSize: [shape[1], shape[2]], channels, scale: options.scale });
  return { x, names: files.map((f) => basename(f)) };
}

function formatRows(names: readonly string[], y: Tensor, format: 'csv' | 'json'): string {
  const n = names.length;
  const width = y.size / Math.max(1, n);
  const row = (i: number) =>
    Array.from(y.data.subarray(i * width, (i + 1) * width) as Float32Array);
  const argmax = (r: number[]) => r.reduce((b, v, k) => (v > r[b]! ? k : b), 0);
  if (format === 'json') {
    return `${JSON.stringify(
      names.map((name, i) => {
        const r = row(i);
        return width === 1
          ? { input: name, value: r[0] }
          : { input: name, class: argmax(r), probabilities: r };
      }),
    )}\n`;
  }
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const header =
    width === 1
      ? 'input,value'
      : ['input', 'class', ...Array.from({ length: width }, (_, k) => `p${k}`)].join(',');
  const lines = names.map((name, i) => {
    const r = row(i);
    return width === 1 ? `${quote(name)},${r[0]}` : [quote(name), argmax(r), ...r].join(',');
  });
  return `${[header, ...lines].join('\n')}\n`;
}

/** `keel predict MODEL INPUT`: predictions for CSV, JSON or image inputs, as CSV or JSON. */
export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('Predict with a saved model: CSV, JSON or images in, CSV or JSON out.')
    .argument('<model>', 'a Keel model file, an .onnx file, or a TensorFlow.js model.json')
    .argument(
      '<input>',
      'a .csv file (numeric columns), a .json array of samples, an image or a folder of images',
    )
    .option('-o, --output <file>', 'write here (.csv or .json) instead of standard output')
    .option('--format <format>', 'csv or json (default: from --output, else csv)')
    .option('--label <column>', 'a CSV column to leave out (the label)')
    .option('--scale <factor>', 'multiply image pixels (0..255) by this (default 1/255)', Number)
    .option('--batch-size <n>', 'samples per batch', intOption('--batch-size', 1), 256)
    .option('--json', 'same as --format json')
    .addHelpText(
      'after',
      `
Examples:
  $ keel predict mnist-cnn.keel digits/ -o predictions.csv
  $ keel predict model.keel samples.json --json
  $ keel predict model.onnx table.csv --label species --format json`,
    )
    .action(
      async (
        file: string,
        input: string,
        options: {
          output?: string;
          format?: string;
          label?: string;
          scale?: number;
          batchSize: number;
          json?: boolean;
        },
      ) => {
        const format =
          options.format ??
          (options.json ? 'json' : options.output?.endsWith('.json') ? 'json' : 'csv');
        if (format !== 'csv' && format !== 'json') {
          throw new UsageError(`--format must be csv or json, got '${format}'`);
        }
        const model = openModel(file);
        const { x, names } = await readInputs(model, input, options);
        checkInputShape(model, x, input);
        const y = (await model.predict(x, { batchSize: options.batchSize, verbose: 0 })) as Tensor;
        const text = formatRows(names, y, format);
        if (options.output) writeFileAtomic(options.output, Buffer.from(text));
        else process.stdout.write(text);
      },
    );
}
