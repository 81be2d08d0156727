import { registerBackend } from '../registry.js';
import './kernels/index.js';

registerBackend({ name: 'ts', info: () => ({ backend: 'ts', isa: 'js', threads: 1 }) });
