export { exportOnnx, type OnnxExportOptions, saveOnnx } from './export.js';
export { importOnnx, loadOnnx } from './import.js';
