export {
  type CalibrationMethod,
  type CalibrationOptions,
  calibrateUint8,
  entropyThreshold,
  type Uint8Calibration,
} from './calibration.js';
export { type QuantizeOptions, quantize } from './quantize.js';
export { QuantizationReport, type QuantizedLayerEntry, quantizationReport } from './report.js';
export type { CalibrationProgress } from './static-plan.js';
