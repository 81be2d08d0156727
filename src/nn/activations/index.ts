// Activation functions (Keras's keras.activations) and the name lookup.
export * from './activations.js';
export * from './get-activation.js';
