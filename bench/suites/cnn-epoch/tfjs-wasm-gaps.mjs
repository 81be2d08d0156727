// tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel, so on its own it cannot train a Conv2D
// layer. To measure tfjs-wasm at its best rather than not at all, the missing kernel is registered
// for wasm here, built from wasm's own kernels: for stride 1 and 'valid' padding, the filter
// gradient is a convolution of the input with the output gradient, both transposed,
//   dW[i, j, ci, co] = sum over b, y, x of X[b, y + i, x + j, ci] · dY[b, y, x, co]
//                    = Conv2D(X as [ci, h, w, b], dY as [oh, ow, b, co]) as [i, j, ci, co].
// Other strides and paddings go to the tfjs cpu kernel (data copied out of and back into the wasm
// heap). The benchmark reports what was filled in.

/** Registers Conv2DBackpropFilter for wasm if it is missing; returns how ('' if not needed). */
export function fillWasmConv2DBackpropFilter(tf) {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return '';
  const cpuKernel = tf.getKernel('Conv2DBackpropFilter', 'cpu');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const strides = [attrs.strides].flat();
      const viaConv =
        attrs.pad === 'valid' && strides.every((s) => s === 1) && attrs.dataFormat !== 'NCHW';
      return viaConv
        ? filterGradViaConv(tf, backend, inputs.x, inputs.dy)
        : viaCpu(tf, cpuKernel, backend, inputs, attrs);
    },
  });
  return 'Conv2DBackpropFilter (wasm Transpose + Conv2D for stride 1, valid padding; else the tfjs cpu kernel)';
}

function filterGradViaConv(tf, backend, x, dy) {
  const run = (name, inputs, attrs) =>
    tf.getKernel(name, 'wasm').kernelFunc({ inputs, backend, attrs });
  const xT = run('Transpose', { x }, { perm: [3, 1, 2, 0] });
  const dyT = run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const conv = run(
    'Conv2D',
    { x: xT, filter: dyT },
    { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] },
  );
  const dw = run('Transpose', { x: conv }, { perm: [1, 2, 0, 3] });
  for (const t of [xT, dyT, conv]) backend.disposeData(t.dataId);
  return dw;
}

function viaCpu(tf, cpuKernel, backend, inputs, attrs) {
  const cpu = tf.engine().findBackend('cpu');
  const owned = [];
  const cpuInputs = {};
  for (const [key, t] of Object.entries(inputs)) {
    const dataId = cpu.write(backend.typedArrayFromHeap(t).slice(), t.shape, t.dtype);
    owned.push(dataId);
    cpuInputs[key] = { dataId, shape: t.shape, dtype: t.dtype };
  }
  const o = cpuKernel.kernelFunc({ inputs: cpuInputs, backend: cpu, attrs });
  const out = backend.makeOutput(o.shape, o.dtype);
  backend.typedArrayFromHeap(out).set(cpu.readSync(o.dataId));
  for (const dataId of [...owned, o.dataId]) cpu.disposeData(dataId, true);
  return out;
}
