export { BackupAndRestore, ModelCheckpoint } from '../../io/checkpoint/index.js';
export * from './callback.js';
export * from './csv-logger.js';
export * from './early-stopping.js';
export * from './history.js';
export * from './learning-rate-scheduler.js';
export * from './progbar-logger.js';
export * from './reduce-lr-on-plateau.js';
