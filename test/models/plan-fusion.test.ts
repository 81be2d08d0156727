import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnyKernel } from '../../src/backends/registry.js';
import { fuseSteps, type PlanStep } from '../../src/models/plan-fusion.js';
import { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';

const u8 = (n: number) => new Tensor(new Uint8Array(n), [n], 'uint8');
const noop: AnyKernel = () => {};
const step = (name: PlanStep['name'], inputs: Tensor[], outputs: Tensor[]): PlanStep => ({
  name,
  kernel: noop,
  inputs,
  outputs,
  attrs: { name },
  zero: true,
});

describe('inference plan fusion', () => {
  it('fuses a uint8 quantizedConv2d with the maxPool2d that alone reads its output', () => {
    const [x, w, c, p, d] = [u8(4), u8(4), u8(4), u8(4), u8(4)];
    const steps = [
      step('quantizedConv2d', [x, w], [c]),
      step('maxPool2d', [c], [p]),
      step('quantizedMatMul', [p, w], [d]),
    ];
    const fused = fuseSteps(steps, new Set([d.data.buffer]));
    assert.deepEqual(
      fused.map((s) => s.name),
      ['quantizedConv2dMaxPool', 'quantizedMatMul'],
    );
    assert.deepEqual(fused[0]!.inputs, [x, w]);
    assert.deepEqual(fused[0]!.outputs, [p]);
    assert.deepEqual(fused[0]!.attrs, { name: 'quantizedConv2d', pool: { name: 'maxPool2d' } });
  });

  it('keeps the pair when the convolution output is read again, is a model output or is float', () => {
    const [x, w, c, p, q] = [u8(4), u8(4), u8(4), u8(4), u8(4)];
    const names = (s: PlanStep[]) => s.map((t) => t.name);
    const pair = [step('quantizedConv2d', [x, w], [c]), step('maxPool2d', [c], [p])];
    const readTwice = [...pair, step('quantizedMatMul', [c, w], [q])];
    assert.deepEqual(names(fuseSteps(readTwice, new Set())), names(readTwice));
    assert.deepEqual(names(fuseSteps(pair, new Set([c.data.buffer]))), names(pair));
    const f = new Tensor(new Float32Array(4), [4], 'float32');
    const float = [step('quantizedConv2d', [x, w], [f]), step('maxPool2d', [f], [p])];
    assert.deepEqual(names(fuseSteps(float, new Set())), names(float));
  });
});
