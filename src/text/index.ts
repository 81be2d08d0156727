// Text preprocessing: one concept per module.

export * from './byte-pair-tokenizer.js';
export * from './pad-sequences.js';
export * from './standardize.js';
export * from './text-vectorization.js';
export * from './vocabulary.js';
