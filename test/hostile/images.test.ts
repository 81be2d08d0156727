/**
 * Decompression bombs: a small PNG declaring 20000 × 20000 pixels (1.6 GB of RGBA) and a JPEG
 * declaring 60000 × 60000 are refused from their headers, before any decoding, quickly and in
 * bounded memory (checked in a child); `maxPixels` is configurable and an ordinary image loads.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { imageDimensions } from '../../src/data/dataset/image-folder.js';
import { Dataset } from '../../src/data/dataset/index.js';
import { expectError, runCases } from './child.js';

function chunk(type: string, data: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A PNG declaring width × height RGBA pixels whose IDAT inflates to `rawBytes` zero bytes. */
function pngBomb(width: number, height: number, rawBytes: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter method, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(rawBytes), { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** A JPEG header (SOI, APP0, SOF0) declaring width × height, with no image data. */
function jpegHeader(width: number, height: number): Buffer {
  const app0 = [0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const sof = [0xff, 0xc0, 0, 17, 8, height >> 8, height & 255, width >> 8, width & 255, 3];
  for (let c = 1; c <= 3; c++) sof.push(c, 0x11, 0);
  return Buffer.from([0xff, 0xd8, ...app0, ...sof, 0xff, 0xd9]);
}

describe('hostile: images', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-images-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the declared size from PNG and JPEG headers', () => {
    assert.deepEqual(imageDimensions(pngBomb(20000, 300, 10)), { width: 20000, height: 300 });
    assert.deepEqual(imageDimensions(jpegHeader(640, 480)), { width: 640, height: 480 });
    assert.equal(imageDimensions(Buffer.from([0xff, 0xd8, 0x00, 0x00])), null);
  });

  it('refuses a PNG bomb and a huge JPEG from the header, quickly and in bounded memory', async () => {
    const bombs = join(dir, 'bombs');
    mkdirSync(join(bombs, 'a'), { recursive: true });
    const bomb = pngBomb(20000, 20000, 2 ** 24);
    assert.ok(bomb.length < 100_000, `the bomb is ${bomb.length} bytes`);
    writeFileSync(join(bombs, 'a', 'bomb.png'), bomb);
    const jpegs = join(dir, 'jpegs');
    mkdirSync(join(jpegs, 'a'), { recursive: true });
    writeFileSync(join(jpegs, 'a', 'huge.jpg'), jpegHeader(60000, 60000));
    const results = await runCases(
      {
        png: `await M.Dataset.imageFolder(${JSON.stringify(bombs)}).toArray();`,
        jpeg: `await M.Dataset.imageFolder(${JSON.stringify(jpegs)}).toArray();`,
      },
      { timeoutMs: 60_000, setup: `const M = await import(SRC + '/data/dataset/index.ts');` },
    );
    const png = expectError(
      results,
      'png',
      /bomb\.png declares 20000 × 20000 pixels, over maxPixels 67108864/,
    );
    const jpeg = expectError(results, 'jpeg', /huge\.jpg declares 60000 × 60000 pixels/);
    for (const o of [png, jpeg]) {
      assert.ok(o.cpuMs < 2000, `${o.name}: ${o.cpuMs.toFixed(0)} ms of CPU`);
      assert.ok(o.rssMiB < 400, `${o.name}: peak RSS ${o.rssMiB.toFixed(0)} MiB`);
    }
  });

  it('maxPixels is configurable; an ordinary image loads', async () => {
    const ok = join(dir, 'ok');
    mkdirSync(join(ok, 'a'), { recursive: true });
    const png = new PNG({ width: 4, height: 3 });
    png.data.fill(200);
    writeFileSync(join(ok, 'a', 'x.png'), PNG.sync.write(png));
    const [el] = (await Dataset.imageFolder(ok).toArray()) as { x: { shape: number[] } }[];
    assert.deepEqual([...el!.x.shape], [3, 4, 3]);
    await assert.rejects(
      Dataset.imageFolder(ok, { maxPixels: 11 }).toArray(),
      /x\.png declares 4 × 3 pixels, over maxPixels 11/,
    );
  });
});
