export * from './model-file.js';
export * from './preprocessing.js';
export * from './weights-file.js';
