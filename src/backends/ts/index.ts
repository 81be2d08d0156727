import type { KernelName } from '../kernels.js';
import { registerBackend, registerKernel } from '../registry.js';
import { REFERENCE_KERNELS } from './kernels/index.js';

registerBackend({ name: 'ts', info: () => ({ backend: 'ts', isa: 'js', threads: 1 }) });
const register = <K extends KernelName>(name: K) =>
  registerKernel(name, 'ts', REFERENCE_KERNELS[name]);
for (const name of Object.keys(REFERENCE_KERNELS) as KernelName[]) register(name);
