/** What a tracked run records about itself: the model, compile and fit settings, git commit. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Model } from '../models/model.js';
import { serializeLayer } from '../nn/layers/registry.js';
import type { Tensor } from '../tensor/tensor.js';

/** The commit checked out in `dir` or a parent (reads .git directly; null outside a repository). */
export function gitCommit(dir = process.cwd()): string | null {
  for (let d = resolve(dir); ; d = dirname(d)) {
    let git = join(d, '.git');
    if (existsSync(git)) {
      try {
        if (statSync(git).isFile()) {
          const m = /^gitdir: (.+)$/m.exec(readFileSync(git, 'utf8'));
          if (!m) return null;
          git = resolve(d, m[1]!.trim());
        }
        const head = readFileSync(join(git, 'HEAD'), 'utf8').trim();
        if (!head.startsWith('ref: ')) return head;
        const ref = head.slice(5);
        const common = existsSync(join(git, 'commondir'))
          ? resolve(git, readFileSync(join(git, 'commondir'), 'utf8').trim())
          : git;
        for (const base of [git, common]) {
          if (existsSync(join(base, ref))) return readFileSync(join(base, ref), 'utf8').trim();
        }
        const packed = join(common, 'packed-refs');
        if (existsSync(packed)) {
          const line = readFileSync(packed, 'utf8')
            .split('\n')
            .find((l) => l.endsWith(` ${ref}`));
          if (line) return line.split(' ')[0]!;
        }
      } catch {
        return null;
      }
      return null;
    }
    if (dirname(d) === d) return null;
  }
}

/** A short fingerprint of data: SHA-256 over the shapes and the bytes of each tensor. */
export function dataFingerprint(tensors: readonly Tensor[]): string {
  const hash = createHash('sha256');
  for (const t of tensors) {
    hash.update(`${t.dtype}[${t.shape.join(',')}]`);
    hash.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  return hash.digest('hex').slice(0, 16);
}

/** The model's architecture, its compile settings and its summary text. */
export function modelParams(model: Model): { params: Record<string, unknown>; summary: string } {
  const lines: string[] = [];
  try {
    model.summary((l) => lines.push(l));
  } catch (e) {
    lines.push(`(no summary: ${(e as Error).message})`);
  }
  const compiled = model.compiled;
  const params: Record<string, unknown> = {
    model: serializeLayer(model),
    parameters: model.weights.reduce((n, w) => n + w.size, 0),
  };
  if (compiled) {
    const optimizer = compiled.optimizer;
    params['compile'] = {
      optimizer: {
        className: (optimizer.constructor as unknown as { className: string }).className,
        config: optimizer.getConfig(),
      },
      loss: compiled.losses.map((l) => l?.name ?? null),
      metrics: compiled.metricSpecs.map((ids) => ids.filter((id) => typeof id === 'string')),
    };
  }
  return { params, summary: lines.join('\n') };
}
