export {
  type ConvertedQat,
  convertQat,
  type QatLayerRanges,
  type QatRanges,
  stripQat,
} from './convert.js';
export {
  MinMaxObserver,
  MovingAverageMinMaxObserver,
  type ObserverArgs,
  type QParams,
  rangeToQParams,
  SCALE_EPS,
} from './observers.js';
export {
  INPUT_RANGE,
  QatHandle,
  type QatLayer,
  type QuantizeAwareArgs,
  qatHandle,
  quantizeAware,
  WEIGHT_RANGE,
} from './quantize-aware.js';
