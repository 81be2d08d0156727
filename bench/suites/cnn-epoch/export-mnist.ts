/**
 * Writes Keel's canonical MNIST train split (`datasets.mnist()`, 8,004 images) to bench/.cache as raw
 * little-endian files the peers read: mnist-train-images.f32 ([n, 28, 28, 1] float32 in [0, 1]) and
 * mnist-train-labels.u8 ([n] uint8). `node --import tsx bench/suites/cnn-epoch/export-mnist.ts`
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasets } from '../../../src/index.js';
import { cacheDir } from '../common/report.mjs';

const { xTrain, yTrain } = datasets.mnist();
const images = xTrain.data as Float32Array;
const labels = Uint8Array.from(yTrain.data as Int32Array);
mkdirSync(cacheDir, { recursive: true });
writeFileSync(join(cacheDir, 'mnist-train-images.f32'), images);
writeFileSync(join(cacheDir, 'mnist-train-labels.u8'), labels);
console.log(`bench: wrote ${labels.length} MNIST train images to ${cacheDir}`);
