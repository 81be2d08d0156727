import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { Tensor } from '../../tensor/tensor.js';

export interface ImageFolderOptions {
  /** 1 (grayscale, default 3) or 3 (RGB) channels per pixel. */
  channels?: 1 | 3;
  /** Resize every image to [height, width] (bilinear); without it images keep their size. */
  imageSize?: readonly [number, number];
  /** 'int' (default): y is the class index; 'categorical': one-hot. */
  labelMode?: 'int' | 'categorical';
  /** 'error' (default): an unreadable image throws naming its path; 'skip': it is dropped and reported to onSkip. */
  badImages?: 'error' | 'skip';
  onSkip?: (path: string, reason: string) => void;
}

const EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

/** The class names (sorted sub-folder names) and the image files under them. */
export function listImageFolder(dir: string): { classNames: string[]; files: [string, number][] } {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (e) {
    throw new Error(`Dataset.imageFolder: cannot read folder ${dir}: ${(e as Error).message}`);
  }
  const classNames = entries.filter((e) => statSync(join(dir, e)).isDirectory()).sort();
  if (classNames.length === 0)
    throw new RangeError(
      `Dataset.imageFolder: ${dir} has no class sub-folders (expected ${dir}/<class>/<image>.png)`,
    );
  const files: [string, number][] = [];
  classNames.forEach((c, label) => {
    for (const f of readdirSync(join(dir, c)).sort()) {
      if (EXTENSIONS.has(extname(f).toLowerCase())) files.push([join(dir, c, f), label]);
    }
  });
  return { classNames, files };
}

/** Decodes a PNG or JPEG buffer to RGBA bytes. */
export function decodeImage(
  path: string,
  buf: Buffer,
): { width: number; height: number; rgba: Uint8Array } {
  const isPng =
    buf.length > 8 && buf[0] === 0x89 && buf[1] === 0x50 && buf[2] === 0x4e && buf[3] === 0x47;
  const isJpeg = buf.length > 3 && buf[0] === 0xff && buf[1] === 0xd8;
  try {
    if (isPng) {
      const png = PNG.sync.read(buf);
      return { width: png.width, height: png.height, rgba: png.data };
    }
    if (isJpeg) {
      const img = jpeg.decode(buf, {
        useTArray: true,
        formatAsRGBA: true,
        maxMemoryUsageInMB: 512,
      });
      return { width: img.width, height: img.height, rgba: img.data };
    }
  } catch (e) {
    throw new Error(`Dataset.imageFolder: cannot decode ${path}: ${(e as Error).message}`);
  }
  throw new Error(`Dataset.imageFolder: cannot decode ${path}: not a PNG or JPEG file`);
}

/** RGBA bytes to a float32 [h, w, channels] tensor of values 0..255, optionally resized (bilinear). */
export function toImageTensor(
  img: { width: number; height: number; rgba: Uint8Array },
  channels: 1 | 3,
  size?: readonly [number, number],
): Tensor {
  const [oh, ow] = size ?? [img.height, img.width];
  const out = new Float32Array(oh * ow * channels);
  const px = (y: number, x: number, c: number) => img.rgba[(y * img.width + x) * 4 + c]!;
  for (let y = 0; y < oh; y++) {
    const sy = Math.min(img.height - 1, Math.max(0, ((y + 0.5) * img.height) / oh - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(img.height - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < ow; x++) {
      const sx = Math.min(img.width - 1, Math.max(0, ((x + 0.5) * img.width) / ow - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(img.width - 1, x0 + 1);
      const fx = sx - x0;
      const sample = (c: number) =>
        (px(y0, x0, c) * (1 - fx) + px(y0, x1, c) * fx) * (1 - fy) +
        (px(y1, x0, c) * (1 - fx) + px(y1, x1, c) * fx) * fy;
      const o = (y * ow + x) * channels;
      if (channels === 3) {
        for (let c = 0; c < 3; c++) out[o + c] = sample(c);
      } else {
        out[o] = 0.299 * sample(0) + 0.587 * sample(1) + 0.114 * sample(2);
      }
    }
  }
  return new Tensor(out, [oh, ow, channels], 'float32');
}

/** Streams {x: image [h, w, c], y: label} from dir/<class>/<file>.{png,jpg}, one file read at a time. */
export async function* readImageFolder(
  files: readonly [string, number][],
  classCount: number,
  options: ImageFolderOptions,
): AsyncGenerator<{ x: Tensor; y: Tensor }> {
  const channels = options.channels ?? 3;
  for (const [path, label] of files) {
    let x: Tensor;
    try {
      x = toImageTensor(decodeImage(path, await readFile(path)), channels, options.imageSize);
    } catch (e) {
      const msg = (e as Error).message;
      const full = msg.startsWith('Dataset.imageFolder')
        ? msg
        : `Dataset.imageFolder: cannot read ${path}: ${msg}`;
      if (options.badImages === 'skip') {
        options.onSkip?.(path, full);
        continue;
      }
      throw new Error(full);
    }
    const y =
      options.labelMode === 'categorical'
        ? new Tensor(
            Float32Array.from({ length: classCount }, (_, k) => (k === label ? 1 : 0)),
            [classCount],
            'float32',
          )
        : new Tensor(Int32Array.of(label), [], 'int32');
    yield { x, y };
  }
}
