import { getKernel, REFERENCE_BACKEND, registerKernel } from '../../registry.js';
import type { NativeBinding } from '../binding.js';
import { allFloat32, counts, f32, nativeOptions } from '../check.js';

/** The native 'reduce' for float32 sum/max/min/prod; arg-reductions and ints stay in TS. */
export function registerReduce(native: NativeBinding): void {
  const codes = new Map(native.reduceOps.map((name, i) => [name, i]));
  const reference = getKernel('reduce', REFERENCE_BACKEND);
  registerKernel('reduce', 'native', (inputs, outputs, attrs) => {
    const code = codes.get(attrs.op);
    const x = inputs[0]!;
    if (code === undefined || x.size < nativeOptions.minElements || !allFloat32([x, outputs[0]!])) {
      reference(inputs, outputs, attrs);
      return;
    }
    counts('reduce', attrs, ['outer', 'reduced', 'inner']);
    const { outer, reduced, inner } = attrs;
    native.reduce(
      code,
      f32('reduce', 'x', x, outer * reduced * inner),
      f32('reduce', 'output', outputs[0]!, outer * inner),
      outer,
      reduced,
      inner,
    );
  });
}
