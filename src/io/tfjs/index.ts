export { keelToTfjs, tfjsToKeel } from './convert-config.js';
export * from './tfjs-format.js';
