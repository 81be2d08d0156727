import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  backendInfo,
  getBackend,
  getKernel,
  registerBackend,
  registerKernel,
  setBackend,
} from '../../src/backends/index.js';
import type { KernelName } from '../../src/backends/kernels.js';
import { add } from '../../src/ops/add.js';
import { tensor } from '../../src/tensor/create.js';

describe('kernel registry', () => {
  it('starts on the native backend when its addon loads, else TypeScript, and reports it', () => {
    const start = getBackend();
    assert.ok(start === 'native' || start === 'ts', start);
    setBackend('ts');
    try {
      assert.deepEqual(backendInfo(), { backend: 'ts', isa: 'js', threads: 1 });
    } finally {
      setBackend(start);
    }
  });

  it('uses a backend kernel where registered and falls back to the reference kernel elsewhere', () => {
    registerBackend({
      name: 'test-backend',
      info: () => ({ backend: 'test-backend', isa: 'none', threads: 1 }),
    });
    let calls = 0;
    const reference = getKernel('binary', 'ts');
    registerKernel('binary', 'test-backend', (inputs, outputs, attrs) => {
      calls++;
      reference(inputs, outputs, attrs);
    });
    setBackend('test-backend');
    try {
      assert.deepEqual(Array.from(add(tensor([1]), tensor([2])).data), [3]);
      assert.equal(calls, 1);
      assert.equal(getKernel('reduce'), getKernel('reduce', 'ts'));
    } finally {
      setBackend('ts');
    }
  });

  it('names unknown kernels and backends', () => {
    // A name from untyped JavaScript: the types reject it, the registry must too.
    assert.throws(
      () => getKernel('noSuchKernel' as KernelName),
      /No kernel registered for 'noSuchKernel'/,
    );
    assert.throws(() => setBackend('gpu'), /setBackend: unknown backend 'gpu'/);
  });
});
