export * from './confident-learning.js';
export * from './cross-validation.js';
export * from './duplicates.js';
export * from './feature-checks.js';
export * from './inspect.js';
export * from './missing.js';
export * from './near-duplicates.js';
