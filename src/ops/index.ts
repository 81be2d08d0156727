// The public ops, one module each. Helpers under internal/ are not exported.
export * from './add.js';
export * from './broadcast-to.js';
export * from './exp.js';
export * from './matmul.js';
export * from './mul.js';
export * from './reshape.js';
export * from './sum.js';
export * from './transpose.js';
