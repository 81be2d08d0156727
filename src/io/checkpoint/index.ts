export * from './backup-and-restore.js';
export * from './format-path.js';
export * from './model-checkpoint.js';
