export {
  KERAS_FORMAT_VERSION,
  type KerasLoadOptions,
  loadKerasModel,
  loadKerasModelFromBytes,
  saveKerasModel,
} from './keras-file.js';
export type { KerasZipLimits } from './zip-container.js';
