export * from './binary-crossentropy.js';
export * from './categorical-crossentropy.js';
export * from './get-loss.js';
export * from './huber.js';
export * from './loss.js';
export * from './mean-absolute-error.js';
export * from './mean-squared-error.js';
export * from './sparse-categorical-crossentropy.js';
