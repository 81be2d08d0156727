export { exportOnnx, type OnnxExportOptions, saveOnnx } from './export.js';
export { type ImportOnnxOptions, importOnnx, loadOnnx } from './import.js';
