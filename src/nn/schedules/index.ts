export * from './cosine-decay.js';
export * from './exponential-decay.js';
export * from './piecewise-constant-decay.js';
export * from './schedule.js';
export * from './serialize.js';
