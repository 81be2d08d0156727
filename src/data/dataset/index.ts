export * from './batch.js';
export * from './csv.js';
export * from './dataset.js';
export * from './image-folder.js';
export * from './parallel-map.js';
export type { SaveShardsOptions, ShardsOptions, ShardsWritten } from './shards.js';
