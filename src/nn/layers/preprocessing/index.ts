export * from './gaussian-noise.js';
export * from './random-contrast.js';
export * from './random-crop.js';
export * from './random-flip.js';
export * from './random-rotation.js';
export * from './random-translation.js';
export * from './random-zoom.js';
