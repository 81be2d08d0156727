// Weight regularizers (Keras's keras.regularizers), one per file, and the name lookup.
export * from './get-regularizer.js';
export * from './l1.js';
export * from './l1l2.js';
export * from './l2.js';
export * from './regularizer.js';
