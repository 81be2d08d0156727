export * from './eda.js';
export * from './mixing.js';
export { synonyms } from './wordnet.js';
