/**
 * The samples of a training config's `data` section, in memory: builtin datasets, a CSV file with
 * a label column, or a folder of class sub-folders of PNG/JPEG images.
 */
import { existsSync, statSync } from 'node:fs';
import { readCsv } from '../../data/dataset/csv.js';
import { decodeImage, listImageFolder, toImageTensor } from '../../data/dataset/image-folder.js';
import { mnist } from '../../data/datasets/mnist.js';
import { mobyDick } from '../../data/datasets/moby-dick.js';
import { spamAssassinEncoded } from '../../data/datasets/spam-assassin.js';
import { Tensor } from '../../tensor/tensor.js';
import { readFileSafe } from '../../utils/safe-file.js';
import { suggestion } from '../../utils/suggest.js';
import { oneHotArray } from '../../utils/to-categorical.js';
import { UsageError } from '../errors.js';
import type { DataSpec } from './config.js';

export interface LoadedData {
  xTrain: Tensor;
  yTrain: Tensor;
  xTest: Tensor;
  yTest: Tensor;
  /** Class names by index, when the labels are classes. */
  classNames?: string[];
  /** 'image' when x holds [n, h, w, c] pixels (the dashboard shows them). */
  kind: 'image' | 'vector' | 'sequence';
}

const DATASETS = ['mnist', 'spam', 'moby-dick'];

/** The first `n` rows of t (a view when n covers all of them). */
export function headRows(t: Tensor, n: number | undefined): Tensor {
  const rows = t.shape[0] ?? 0;
  if (n === undefined || n >= rows) return t;
  const width = rows === 0 ? 0 : t.size / rows;
  return new Tensor(t.data.slice(0, n * width), [n, ...t.shape.slice(1)], t.dtype);
}

/** Rows [from, to) of t. */
function rowRange(t: Tensor, from: number, to: number): Tensor {
  const rows = t.shape[0] ?? 0;
  const width = rows === 0 ? 0 : t.size / rows;
  return new Tensor(
    t.data.slice(from * width, to * width),
    [to - from, ...t.shape.slice(1)],
    t.dtype,
  );
}

/** Integer class labels as the loss wants them: one-hot for categorical losses, int32 otherwise. */
export function encodeLabels(
  labels: Int32Array,
  classes: number,
  mode: 'categorical' | 'int',
): Tensor {
  return mode === 'categorical'
    ? new Tensor(oneHotArray(labels, classes), [labels.length, classes], 'float32')
    : new Tensor(labels, [labels.length], 'int32');
}

function labelMode(spec: DataSpec, loss: string): 'categorical' | 'int' {
  if (spec.labels) return spec.labels;
  return /^categorical|CategoricalCrossentropy/.test(loss) ? 'categorical' : 'int';
}

/** Numbered class labels from raw values: numbers stay numbers, strings are sorted names. */
function classLabels(values: readonly (number | string)[]): { ids: Int32Array; names: string[] } {
  if (values.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0)) {
    const max = values.reduce<number>((m, v) => Math.max(m, v as number), -1);
    return {
      ids: Int32Array.from(values as number[]),
      names: Array.from({ length: max + 1 }, (_, i) => String(i)),
    };
  }
  const names = [...new Set(values.map(String))].sort();
  const index = new Map(names.map((n, i) => [n, i]));
  return { ids: Int32Array.from(values, (v) => index.get(String(v))!), names };
}

/** Reads every row of a CSV file as {x: the numeric columns but the label, y: the label}. */
export async function readCsvSamples(
  path: string,
  label: string | undefined,
): Promise<{ x: Tensor; labels: (number | string)[]; columns: number }> {
  if (!existsSync(path)) throw new UsageError(`no such CSV file: ${path}`);
  const rows: Float32Array[] = [];
  const labels: (number | string)[] = [];
  for await (const element of readCsv(path, label ? { labelColumn: label } : {})) {
    if (label) {
      const { x, y } = element as { x: Float32Array; y: number | string };
      rows.push(x);
      labels.push(y);
    } else {
      const record = element as Record<string, number | string>;
      rows.push(Float32Array.from(Object.values(record), (v) => Number(v)));
    }
  }
  const columns = rows[0]?.length ?? 0;
  const x = new Float32Array(rows.length * columns);
  rows.forEach((r, i) => {
    if (r.length !== columns)
      throw new UsageError(`${path}: row ${i + 1} has ${r.length} values, expected ${columns}`);
    x.set(r, i * columns);
  });
  return { x: new Tensor(x, [rows.length, columns], 'float32'), labels, columns };
}

/** Decodes image files into one [n, h, w, c] tensor scaled by `scale`. */
export function readImages(
  files: readonly string[],
  spec: Pick<DataSpec, 'imageSize' | 'channels' | 'scale'>,
): Tensor {
  const channels = spec.channels ?? 1;
  const images = files.map((f) =>
    toImageTensor(decodeImage(f, imageBuffer(f)), channels, spec.imageSize),
  );
  const shape = images[0]?.shape ?? [spec.imageSize?.[0] ?? 0, spec.imageSize?.[1] ?? 0, channels];
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(images.length * size);
  const scale = spec.scale ?? 1 / 255;
  images.forEach((img, i) => {
    if (img.size !== size) {
      throw new UsageError(
        `${files[i]}: image is [${img.shape}], the first was [${shape}]; set data.imageSize to resize them all`,
      );
    }
    for (let k = 0; k < size; k++) out[i * size + k] = img.data[k]! * scale;
  });
  return new Tensor(out, [images.length, ...shape], 'float32');
}

function splitTail(x: Tensor, y: Tensor, fraction: number): [Tensor, Tensor, Tensor, Tensor] {
  const n = x.shape[0] ?? 0;
  const at = Math.max(1, Math.min(n - 1, Math.round(n * (1 - fraction))));
  return [rowRange(x, 0, at), rowRange(y, 0, at), rowRange(x, at, n), rowRange(y, at, n)];
}

async function fromCsv(spec: DataSpec, mode: 'categorical' | 'int'): Promise<LoadedData> {
  if (!spec.label) throw new UsageError(`data.csv needs data.label, the column holding the label`);
  const train = await readCsvSamples(spec.csv!, spec.label);
  const test = spec.test ? await readCsvSamples(spec.test, spec.label) : null;
  const { ids, names } = classLabels([...train.labels, ...(test?.labels ?? [])]);
  const y = encodeLabels(ids, names.length, mode);
  const n = train.x.shape[0]!;
  if (test) {
    return {
      xTrain: train.x,
      yTrain: rowRange(y, 0, n),
      xTest: test.x,
      yTest: rowRange(y, n, n + test.x.shape[0]!),
      classNames: names,
      kind: 'vector',
    };
  }
  const [xTrain, yTrain, xTest, yTest] = splitTail(train.x, y, spec.testSplit ?? 0.2);
  return { xTrain, yTrain, xTest, yTest, classNames: names, kind: 'vector' };
}

function fromImages(spec: DataSpec, mode: 'categorical' | 'int'): LoadedData {
  for (const dir of [spec.images!, spec.test].filter((d): d is string => d !== undefined)) {
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new UsageError(`no such image folder: ${dir}`);
  }
  const train = listImageFolder(spec.images!);
  const x = readImages(
    train.files.map(([f]) => f),
    spec,
  );
  const ids = Int32Array.from(train.files, ([, label]) => label);
  const y = encodeLabels(ids, train.classNames.length, mode);
  if (spec.test) {
    const test = listImageFolder(spec.test);
    const index = new Map(train.classNames.map((c, i) => [c, i]));
    const testIds = Int32Array.from(test.files, ([, label]) => {
      const id = index.get(test.classNames[label]!);
      if (id === undefined)
        throw new UsageError(
          `${spec.test}: class '${test.classNames[label]}' is not among the training classes`,
        );
      return id;
    });
    return {
      xTrain: x,
      yTrain: y,
      xTest: readImages(
        test.files.map(([f]) => f),
        spec,
      ),
      yTest: encodeLabels(testIds, train.classNames.length, mode),
      classNames: train.classNames,
      kind: 'image',
    };
  }
  // Image folders list class by class: interleave the classes (the i-th image of each class, then
  // the (i+1)-th) so that the held-out tail holds every class.
  const seen = new Map<number, number>();
  const rank = Array.from(ids, (c) => {
    const r = seen.get(c) ?? 0;
    seen.set(c, r + 1);
    return r;
  });
  const order = Array.from(ids.keys()).sort((a, b) => rank[a]! - rank[b]! || ids[a]! - ids[b]!);
  const pick = (t: Tensor) => {
    const w = t.size / ids.length;
    const out = t.data.slice();
    for (let i = 0; i < order.length; i++) {
      out.set(t.data.subarray(order[i]! * w, (order[i]! + 1) * w) as never, i * w);
    }
    return new Tensor(out, t.shape, t.dtype);
  };
  const [xTrain, yTrain, xTest, yTest] = splitTail(pick(x), pick(y), spec.testSplit ?? 0.2);
  return { xTrain, yTrain, xTest, yTest, classNames: train.classNames, kind: 'image' };
}

function fromMobyDick(spec: DataSpec): LoadedData {
  const text = mobyDick();
  const chars = [...new Set(text)].sort();
  const index = new Map(chars.map((c, i) => [c, i]));
  const len = spec.maxlen ?? 64;
  const n = Math.floor((text.length - 1) / len);
  const x = new Int32Array(n * len);
  const y = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    for (let t = 0; t < len; t++) x[s * len + t] = index.get(text[s * len + t]!)!;
    y[s] = index.get(text[s * len + len]!)!;
  }
  const [xTrain, yTrain, xTest, yTest] = splitTail(
    new Tensor(x, [n, len], 'int32'),
    new Tensor(y, [n], 'int32'),
    spec.testSplit ?? 0.1,
  );
  return { xTrain, yTrain, xTest, yTest, classNames: chars, kind: 'sequence' };
}

function fromBuiltin(spec: DataSpec, mode: 'categorical' | 'int'): LoadedData {
  switch (spec.dataset) {
    case 'mnist': {
      const d = mnist();
      const cat = mode === 'categorical';
      return {
        xTrain: d.xTrain,
        yTrain: cat ? d.yTrainOneHot : d.yTrain,
        xTest: d.xTest,
        yTest: cat ? d.yTestOneHot : d.yTest,
        classNames: Array.from({ length: 10 }, (_, i) => String(i)),
        kind: 'image',
      };
    }
    case 'spam': {
      const d = spamAssassinEncoded({ vocabSize: spec.vocabSize, maxlen: spec.maxlen });
      return { ...d, classNames: ['ham', 'spam'], kind: 'sequence' };
    }
    case 'moby-dick':
      return fromMobyDick(spec);
    default:
      throw new UsageError(
        `unknown dataset '${spec.dataset}'${suggestion(String(spec.dataset), DATASETS)}`,
      );
  }
}

/** Loads the data a config describes; `loss` decides between one-hot and integer labels. */
export async function loadData(spec: DataSpec, loss: string): Promise<LoadedData> {
  const mode = labelMode(spec, loss);
  const data = spec.dataset
    ? fromBuiltin(spec, mode)
    : spec.csv
      ? await fromCsv(spec, mode)
      : fromImages(spec, mode);
  return {
    ...data,
    xTrain: headRows(data.xTrain, spec.limit),
    yTrain: headRows(data.yTrain, spec.limit),
    xTest: headRows(data.xTest, spec.testLimit),
    yTest: headRows(data.yTest, spec.testLimit),
  };
}

/** A regular image file's bytes as a Buffer, without copying (see `readFileSafe`). */
function imageBuffer(path: string): Buffer {
  const bytes = readFileSafe(path, { what: 'keel', maxBytes: 2 ** 28 });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
