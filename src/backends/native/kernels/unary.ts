import { getKernel, REFERENCE_BACKEND, registerKernel } from '../../registry.js';
import type { NativeBinding } from '../binding.js';
import { allFloat32, f32, nativeOptions } from '../check.js';

/** Below this many elements crossing into C++ costs more than the TypeScript loop. */
/** The native 'unary' for float32 → float32 ops; casts, bool outputs and tiny inputs stay in TS. */
export function registerUnary(native: NativeBinding): void {
  const codes = new Map(native.unaryOps.map((name, i) => [name, i]));
  const reference = getKernel('unary', REFERENCE_BACKEND);
  registerKernel('unary', 'native', (inputs, outputs, attrs) => {
    const code = codes.get(attrs.op);
    const x = inputs[0]!;
    if (code === undefined || x.size < nativeOptions.minElements || !allFloat32([x, outputs[0]!])) {
      reference(inputs, outputs, attrs);
      return;
    }
    const y = f32('unary', 'output', outputs[0]!, x.size);
    native.unary(code, f32('unary', 'x', x, x.size), y, attrs.alpha ?? 0, attrs.beta ?? 0);
  });
}
