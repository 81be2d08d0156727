import './ts/index.js';
import { listBackends, setBackend } from './registry.js';

const requested = process.env['KEEL_BACKEND'];
if (requested && requested !== 'ts') {
  if (listBackends().includes(requested)) setBackend(requested);
  else
    console.warn(`keel: KEEL_BACKEND=${requested} is not available; using the TypeScript backend`);
}

export * from './registry.js';
