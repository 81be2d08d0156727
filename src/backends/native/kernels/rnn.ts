import { packAttrs, RNN_FIELDS, type RnnDims } from '../../kernels.js';
import { getKernel, REFERENCE_BACKEND, registerKernel } from '../../registry.js';
import type { NativeBinding } from '../binding.js';
import { allFloat32, counts, f32 } from '../check.js';

type Arrays = Float32Array[];

/** The fused recurrent kernels of native/rnn/rnn_napi.cc: arrays in the TS kernels' order
 * (without the backward kernels' unread bias), then the attrs. */
export interface RnnBinding {
  lstm(...args: [...Arrays, Float64Array]): void;
  lstmBackward(...args: [...Arrays, Float64Array]): void;
  gru(...args: [...Arrays, Float64Array]): void;
  gruBackward(...args: [...Arrays, Float64Array]): void;
  simpleRnn(...args: [...Arrays, Float64Array]): void;
  simpleRnnBackward(...args: [...Arrays, Float64Array]): void;
}

/** The length each named array has for dims d of a layer with `gates` gate blocks. */
type Size = 'x' | 'kernel' | 'rk' | 'bias' | 'state' | 'mask' | 'seq' | 'gates' | 'states';

interface Spec {
  name: keyof RnnBinding;
  gates: number;
  /** Extra rows of y after the steps (the last states: 2 for LSTM, 1 otherwise). */
  packedStates: number;
  inputs: readonly [string, Size][];
  outputs: readonly [string, Size][];
}

const forward = (state: readonly [string, Size][]) =>
  [
    ['x', 'x'],
    ['kernel', 'kernel'],
    ['recurrentKernel', 'rk'],
    ['bias', 'bias'],
    ...state,
    ['mask', 'mask'],
    ['recurrentMask', 'state'],
  ] as const satisfies readonly [string, Size][];

const backward = (saved: readonly [string, Size][]) =>
  [
    ['dy', 'seq'],
    ['x', 'x'],
    ['kernel', 'kernel'],
    ['recurrentKernel', 'rk'],
    ['bias', 'bias'],
    ...saved,
    ['mask', 'mask'],
    ['recurrentMask', 'state'],
  ] as const satisfies readonly [string, Size][];

const grads = (states: readonly [string, Size][]) =>
  [
    ['dx', 'x'],
    ['dKernel', 'kernel'],
    ['dRecurrentKernel', 'rk'],
    ['dBias', 'bias'],
    ...states,
  ] as const satisfies readonly [string, Size][];

const SPECS: readonly Spec[] = [
  {
    name: 'lstm',
    gates: 4,
    packedStates: 2,
    inputs: forward([
      ['h0', 'state'],
      ['c0', 'state'],
    ]),
    outputs: [
      ['y', 'seq'],
      ['gates', 'gates'],
      ['c', 'states'],
      ['h', 'states'],
    ],
  },
  {
    name: 'lstmBackward',
    gates: 4,
    packedStates: 2,
    inputs: backward([
      ['gates', 'gates'],
      ['c', 'states'],
      ['h', 'states'],
    ]),
    outputs: grads([
      ['dh0', 'state'],
      ['dc0', 'state'],
    ]),
  },
  {
    name: 'gru',
    gates: 3,
    packedStates: 1,
    inputs: forward([['h0', 'state']]),
    outputs: [
      ['y', 'seq'],
      ['gates', 'gates'],
      ['h', 'states'],
    ],
  },
  {
    name: 'gruBackward',
    gates: 3,
    packedStates: 1,
    inputs: backward([
      ['gates', 'gates'],
      ['h', 'states'],
    ]),
    outputs: grads([['dh0', 'state']]),
  },
  {
    name: 'simpleRnn',
    gates: 1,
    packedStates: 1,
    inputs: forward([['h0', 'state']]),
    outputs: [
      ['y', 'seq'],
      ['h', 'states'],
    ],
  },
  {
    name: 'simpleRnnBackward',
    gates: 1,
    packedStates: 1,
    inputs: backward([['h', 'states']]),
    outputs: grads([['dh0', 'state']]),
  },
];

function sizes(spec: Spec, d: RnnDims): Record<Size, number> {
  const { batch: B, steps: T, inDim: I, units: U } = d;
  const G = spec.gates * U;
  return {
    x: B * T * I,
    kernel: I * G,
    rk: U * G,
    bias: (spec.gates === 3 ? 2 : 1) * G,
    state: B * U,
    mask: B * T,
    seq: B * (T + spec.packedStates) * U,
    // LSTM saves its 4 activations, GRU z, r, hh and the recurrent part rh.
    gates: spec.gates === 1 ? 0 : T * B * 4 * U,
    states: (T + 1) * B * U,
  };
}

/**
 * The native lstm, gru and simpleRnn kernels and their backward passes (native/rnn/): every
 * array's length checked against the dims before the call; non-float32 storage falls back to the
 * TypeScript kernel.
 */
export function registerRnn(binding: NativeBinding): void {
  const native = binding as NativeBinding & RnnBinding;
  for (const spec of SPECS) {
    const reference = getKernel(spec.name, REFERENCE_BACKEND);
    const call = native[spec.name];
    registerKernel(spec.name, 'native', (inputs, outputs, d) => {
      if (!allFloat32(inputs) || !allFloat32(outputs)) {
        reference(inputs, outputs, d);
        return;
      }
      counts(spec.name, d, [
        'batch',
        'steps',
        'inDim',
        'units',
        'activation',
        'recurrentActivation',
      ]);
      const n = sizes(spec, d);
      const arrays: Float32Array[] = [];
      spec.inputs.forEach(([arg, size], i) => {
        // The backward kernels never read the bias; the binding does not take it.
        if (arg === 'bias' && spec.name.endsWith('Backward')) return;
        arrays.push(f32(spec.name, arg, inputs[i]!, n[size]));
      });
      spec.outputs.forEach(([arg, size], i) => {
        arrays.push(f32(spec.name, arg, outputs[i]!, n[size]));
      });
      call.call(native, ...arrays, packAttrs(d, RNN_FIELDS));
    });
  }
}
