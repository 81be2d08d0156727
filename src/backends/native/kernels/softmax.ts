import type { Tensor } from '../../../tensor/tensor.js';
import { getKernel, REFERENCE_BACKEND, registerKernel } from '../../registry.js';
import type { NativeBinding } from '../binding.js';
import { allFloat32, counts, f32, nativeOptions } from '../check.js';

/** The addon's native/softmax/ entry points (softmax_napi.cc); arrays are [rows, C] row-major. */
export interface SoftmaxBinding {
  softmax(x: Float32Array, y: Float32Array, rows: number, C: number, log: boolean): void;
  softmaxBackward(
    dy: Float32Array,
    y: Float32Array,
    dx: Float32Array,
    rows: number,
    C: number,
    log: boolean,
  ): void;
  softmaxCrossEntropy(
    logits: Float32Array,
    targets: Float32Array,
    loss: Float32Array,
    grad: Float32Array,
    rows: number,
    C: number,
  ): void;
  sparseSoftmaxCrossEntropy(
    logits: Float32Array,
    labels: Int32Array,
    loss: Float32Array,
    grad: Float32Array,
    rows: number,
    C: number,
  ): void;
}

/**
 * Native softmax and log-softmax over the last axis (inner = 1), forward and fused backward, and
 * the fused softmax cross-entropy kernels; other axes and dtypes run the TypeScript kernels.
 */
export function registerSoftmax(binding: NativeBinding): void {
  const native = binding as NativeBinding & SoftmaxBinding;
  for (const log of [false, true]) {
    const name = log ? 'logSoftmax' : 'softmax';
    const forward = getKernel(name, REFERENCE_BACKEND);
    registerKernel(name, 'native', (inputs, outputs, a) => {
      const [x, y] = [inputs[0]!, outputs[0]!];
      if (a.inner !== 1 || x.size < nativeOptions.minElements || !allFloat32([x, y])) {
        forward(inputs, outputs, a);
        return;
      }
      counts(name, a, ['outer', 'axis']);
      const n = a.outer * a.axis;
      native.softmax(f32(name, 'x', x, n), f32(name, 'y', y, n), a.outer, a.axis, log);
    });
    const backwardName = log ? 'logSoftmaxBackward' : 'softmaxBackward';
    const backward = getKernel(backwardName, REFERENCE_BACKEND);
    registerKernel(backwardName, 'native', (inputs, outputs, a) => {
      const [dy, y, dx] = [inputs[0]!, inputs[1]!, outputs[0]!];
      if (a.inner !== 1 || y.size < nativeOptions.minElements || !allFloat32([dy, y, dx])) {
        backward(inputs, outputs, a);
        return;
      }
      counts(backwardName, a, ['outer', 'axis']);
      const n = a.outer * a.axis;
      const k = backwardName;
      native.softmaxBackward(
        f32(k, 'dy', dy, n),
        f32(k, 'y', y, n),
        f32(k, 'dx', dx, n),
        a.outer,
        a.axis,
        log,
      );
    });
  }
  const dense = getKernel('softmaxCrossEntropy', REFERENCE_BACKEND);
  registerKernel('softmaxCrossEntropy', 'native', (inputs, outputs, a) => {
    const k = 'softmaxCrossEntropy';
    const [x, t] = inputs as [Tensor, Tensor];
    const [loss, grad] = outputs as [Tensor, Tensor];
    if (x.size < nativeOptions.minElements || !allFloat32([x, t, loss, grad])) {
      dense(inputs, outputs, a);
      return;
    }
    counts(k, a, ['rows', 'classes']);
    const n = a.rows * a.classes;
    native.softmaxCrossEntropy(
      f32(k, 'logits', x, n),
      f32(k, 'targets', t, n),
      f32(k, 'loss', loss, a.rows),
      f32(k, 'grad', grad, n),
      a.rows,
      a.classes,
    );
  });
  const sparse = getKernel('sparseSoftmaxCrossEntropy', REFERENCE_BACKEND);
  registerKernel('sparseSoftmaxCrossEntropy', 'native', (inputs, outputs, a) => {
    const k = 'sparseSoftmaxCrossEntropy';
    const [x, labels] = inputs as [Tensor, Tensor];
    const [loss, grad] = outputs as [Tensor, Tensor];
    if (
      x.size < nativeOptions.minElements ||
      !(labels.data instanceof Int32Array) ||
      !allFloat32([x, loss, grad])
    ) {
      sparse(inputs, outputs, a);
      return;
    }
    counts(k, a, ['rows', 'classes']);
    if (labels.data.length !== a.rows)
      throw new RangeError(
        `${k} (native): labels has ${labels.data.length} elements, the attrs need ${a.rows}`,
      );
    const n = a.rows * a.classes;
    native.sparseSoftmaxCrossEntropy(
      f32(k, 'logits', x, n),
      labels.data,
      f32(k, 'loss', loss, a.rows),
      f32(k, 'grad', grad, n),
      a.rows,
      a.classes,
    );
  });
}
