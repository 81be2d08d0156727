import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { Tensor } from '../../tensor/tensor.js';
import { readFileSafe } from '../../utils/safe-file.js';

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
  /**
   * Largest image accepted, in pixels (width × height, default 2**26), checked from the file's
   * header before decoding, so a decompression bomb is refused without being inflated.
   */
  maxPixels?: number;
}

/** Default `maxPixels`: 2**26 pixels (an 8192 × 8192 image), 256 MiB of RGBA. */
export const DEFAULT_MAX_PIXELS = 2 ** 26;

/** Largest image file read, in bytes. */
const MAX_IMAGE_BYTES = 2 ** 28;

const EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

/** The class names (sorted sub-folder names) and the image files under them. */
export function listImageFolder(dir: string): { classNames: string[]; files: [string, number][] } {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (e) {
    throw new Error(`Dataset.imageFolder: cannot read folder ${dir}: ${(e as Error).message}`);
  }
  const isDir = (p: string): boolean => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false; // a dangling link or a vanished entry is no class folder
    }
  };
  const classNames = entries.filter((e) => isDir(join(dir, e))).sort();
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

/**
 * The width and height a PNG (IHDR) or JPEG (first SOF marker) header declares, read without
 * decoding; null when the header cannot be found.
 */
export function imageDimensions(buf: Uint8Array): { width: number; height: number } | null {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (isPngBytes(buf)) {
    if (buf.length < 24) return null;
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  let at = 2;
  while (at + 9 < buf.length) {
    if (buf[at] !== 0xff) return null;
    const marker = buf[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
      continue;
    }
    const isSof = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isSof) return { height: view.getUint16(at + 5), width: view.getUint16(at + 7) };
    at += 2 + view.getUint16(at + 2);
  }
  return null;
}

function isPngBytes(buf: Uint8Array): boolean {
  return buf.length > 8 && buf[0] === 0x89 && buf[1] === 0x50 && buf[2] === 0x4e && buf[3] === 0x47;
}

/**
 * Decodes a PNG or JPEG buffer to RGBA bytes, after checking the size its header declares
 * against `maxPixels` (default 2**26), so a small file declaring a huge image is refused at once.
 */
export function decodeImage(
  path: string,
  buf: Buffer,
  maxPixels = DEFAULT_MAX_PIXELS,
): { width: number; height: number; rgba: Uint8Array } {
  const isPng = isPngBytes(buf);
  const isJpeg = buf.length > 3 && buf[0] === 0xff && buf[1] === 0xd8;
  if (isPng || isJpeg) {
    const dims = imageDimensions(buf);
    if (!dims) throw new Error(`Dataset.imageFolder: cannot decode ${path}: no image header`);
    if (dims.width * dims.height > maxPixels) {
      throw new RangeError(
        `Dataset.imageFolder: ${path} declares ${dims.width} × ${dims.height} pixels, over maxPixels ${maxPixels}`,
      );
    }
  }
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
        maxResolutionInMP: maxPixels / 1e6,
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
      const bytes = readFileSafe(path, { what: 'Dataset.imageFolder', maxBytes: MAX_IMAGE_BYTES });
      const img = decodeImage(
        path,
        Buffer.from(bytes.buffer, 0, bytes.byteLength),
        options.maxPixels,
      );
      x = toImageTensor(img, channels, options.imageSize);
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
