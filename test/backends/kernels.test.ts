import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listBackends, listKernels } from '../../src/backends/index.js';
import type { KernelName } from '../../src/backends/kernels.js';
import { ATTR_LAYOUTS, layoutDrift } from '../../src/backends/native/binding.js';
import { nativeBinding } from '../../src/backends/native/index.js';
import { BINARY_LOOPS } from '../../src/backends/ts/kernels/binary.js';
import { REFERENCE_KERNELS } from '../../src/backends/ts/kernels/index.js';
import { UNARY_LOOPS } from '../../src/backends/ts/kernels/unary.js';

describe('the kernel contract', () => {
  const contract = Object.keys(REFERENCE_KERNELS).sort() as KernelName[];

  it('has a TypeScript implementation of every kernel, registered on the ts backend', () => {
    // REFERENCE_KERNELS is typed { [K in KernelName]: Kernel<K> }, so it names every kernel.
    assert.ok(contract.length >= 40, `only ${contract.length} kernels`);
    for (const name of contract) assert.equal(typeof REFERENCE_KERNELS[name], 'function', name);
    assert.deepEqual([...listKernels('ts')].sort(), contract);
  });

  it('lists which kernels the native backend implements; each is a contract kernel', (t) => {
    if (!listBackends().includes('native')) {
      t.diagnostic('native backend not loaded: every kernel runs on TypeScript');
      return;
    }
    const native = listKernels('native').sort();
    for (const name of native) assert.ok(contract.includes(name), `native kernel '${name}'`);
    const missing = contract.filter((n) => !native.includes(n));
    t.diagnostic(`native: ${native.length} of ${contract.length} kernels (${native.join(', ')})`);
    t.diagnostic(`TypeScript only: ${missing.join(', ') || 'none'}`);
    // The native backend is the fast path of the training step: these must stay native.
    for (const name of ['matMul', 'fusedDense', 'fusedConv2d', 'adamUpdate', 'lstm'] as const)
      assert.ok(native.includes(name), `${name} has no native kernel`);
  });

  it('knows every elementwise op id the addon exports', (t) => {
    const binding = nativeBinding();
    if (!binding) {
      t.diagnostic('native backend not loaded');
      return;
    }
    const unary = new Set(Object.keys(UNARY_LOOPS));
    const binary = new Set(Object.keys(BINARY_LOOPS));
    const reduce = new Set(['sum', 'max', 'min', 'prod', 'argmax', 'argmin']);
    for (const op of binding.unaryOps) assert.ok(unary.has(op), `native unary op '${op}'`);
    for (const op of binding.binaryOps) assert.ok(binary.has(op), `native binary op '${op}'`);
    for (const op of binding.reduceOps) assert.ok(reduce.has(op), `native reduce op '${op}'`);
  });

  it('refuses an addon whose attr layouts differ from the ones the TypeScript side packs', () => {
    const same = Object.fromEntries(Object.entries(ATTR_LAYOUTS).map(([k, v]) => [k, [...v]]));
    assert.equal(layoutDrift(same), '');
    const swapped = { ...same, conv2d: [...same['conv2d']!] };
    [swapped.conv2d[9], swapped.conv2d[10]] = [swapped.conv2d[10]!, swapped.conv2d[9]!];
    assert.match(layoutDrift(swapped), /conv2d attrs are \[.*strideW, strideH.*\], Keel packs/);
    assert.match(layoutDrift({ ...same, rnn: [] }), /rnn attrs are \[\]/);
    assert.match(layoutDrift(undefined), /conv2d attrs are \[missing\]/);
  });

  it('matches the layouts the loaded addon unpacks', (t) => {
    const binding = nativeBinding();
    if (!binding) {
      t.diagnostic('native backend not loaded');
      return;
    }
    assert.deepEqual(binding.attrLayouts, ATTR_LAYOUTS);
  });
});
