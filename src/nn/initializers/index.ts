// Weight initializers (Keras's keras.initializers), one per file, and the name lookup.
export * from './constant.js';
export * from './get-initializer.js';
export * from './glorot-normal.js';
export * from './glorot-uniform.js';
export * from './he-normal.js';
export * from './he-uniform.js';
export * from './identity.js';
export * from './initializer.js';
export * from './lecun-normal.js';
export * from './lecun-uniform.js';
export * from './ones.js';
export * from './orthogonal.js';
export * from './random-normal.js';
export * from './random-uniform.js';
export * from './truncated-normal.js';
export * from './variance-scaling.js';
export * from './zeros.js';
