export {
  type DecodePath,
  type DecoderBits,
  type WeightOnlyCache,
  WeightOnlyGPT,
  type WeightOnlyGPTArgs,
} from './decoder.js';
export { type FloatMatrix, floatMatMul, floatMatrix } from './float-matmul.js';
export { weightOnlyMatMul } from './matmul.js';
export {
  packWeightOnly,
  quantizeWeightOnly,
  type WeightOnlyBits,
  type WeightOnlyMatrix,
} from './pack.js';
export { DEFAULT_GROUP_SIZE, WEIGHT_ONLY_GROUP_SIZES } from './quantize-gpt.js';
export { weightOnlyMatMulReference } from './reference.js';
