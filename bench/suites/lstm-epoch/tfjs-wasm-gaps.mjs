// tfjs-backend-wasm 4.22 has no UnsortedSegmentSum kernel, which the gradient of Gather (so of the
// Embedding layer) needs: on its own it cannot train the seed LSTM program ("Kernel
// 'UnsortedSegmentSum' not registered for backend 'wasm'"). To measure tfjs-wasm at its best rather
// than not at all, the missing kernel is registered for wasm here, built from wasm's own ScatterNd
// (which sums the updates of repeated indices):
//   unsortedSegmentSum(x [n, ...], ids [n], k) = scatterNd(ids as [n, 1], x, [k, ...]).
// The result is checked against the tfjs cpu kernel before the benchmark starts.

/** Registers UnsortedSegmentSum for wasm if it is missing; returns how ('' if not needed). */
export function fillWasmUnsortedSegmentSum(tf) {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return '';
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const run = (name, kernelInputs, kernelAttrs) =>
        tf
          .getKernel(name, 'wasm')
          .kernelFunc({ inputs: kernelInputs, backend, attrs: kernelAttrs });
      const { x, segmentIds } = inputs;
      const n = segmentIds.shape.reduce((a, b) => a * b, 1);
      const indices = run('Reshape', { x: segmentIds }, { shape: [n, 1] });
      const updates = run(
        'Reshape',
        { x },
        { shape: [n, ...x.shape.slice(segmentIds.shape.length)] },
      );
      const shape = [attrs.numSegments, ...x.shape.slice(segmentIds.shape.length)];
      const out = run('ScatterNd', { indices, updates }, { shape });
      return out;
    },
  });
  checkAgainstCpu(tf);
  return 'UnsortedSegmentSum (wasm ScatterNd)';
}

/** Compares the filled kernel with the tfjs cpu kernel on a small case with repeated ids. */
function checkAgainstCpu(tf) {
  const ids = [3, 0, 3, 5, 0, 3, 1];
  const x = Array.from({ length: ids.length * 4 }, (_, i) => Math.sin(i + 1));
  const backend = tf.getBackend();
  const result = (name) => {
    tf.setBackend(name);
    const out = tf.unsortedSegmentSum(
      tf.tensor2d(x, [ids.length, 4]),
      tf.tensor1d(ids, 'int32'),
      6,
    );
    return out.dataSync().slice();
  };
  const want = result('cpu');
  const got = result('wasm');
  tf.setBackend(backend);
  const diff = Math.max(...want.map((v, i) => Math.abs(v - got[i])));
  if (!(diff < 1e-5))
    throw new Error(`tfjs-wasm-gaps: the filled UnsortedSegmentSum differs from cpu by ${diff}`);
}
