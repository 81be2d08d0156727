export {
  CompressionReport,
  type CompressionReportOptions,
  compressionReport,
  type LayerSize,
  type ModelMeasures,
} from './compression-report.js';
