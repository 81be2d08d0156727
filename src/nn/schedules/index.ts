export * from './cosine-decay.js';
export * from './cosine-decay-restarts.js';
export * from './exponential-decay.js';
export * from './inverse-time-decay.js';
export * from './piecewise-constant-decay.js';
export * from './polynomial-decay.js';
export * from './schedule.js';
export * from './serialize.js';
