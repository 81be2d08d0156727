// Models: functional Model, Sequential, and the training loop behind compile/fit/evaluate/predict.
export { Input, type InputArgs, InputLayer } from '../nn/layers/input-layer.js';
export type { CompileArgs } from './compile.js';
export type { DataInput } from './data-adapter.js';
export type { EvaluateArgs } from './evaluate.js';
export type { FitArgs } from './fit.js';
export { type CausalLM, type GenerateOptions, generate } from './generate.js';
export { GPT, type GPTArgs } from './gpt.js';
export { GptNativeDecoder, type GptStepCache } from './gpt-decode-step.js';
export { Model, type ModelArgs } from './model.js';
export type { PredictArgs } from './predict.js';
export { Sequential, type SequentialArgs } from './sequential.js';
export type { TrainingStrategy } from './strategy.js';
export type { BatchArgs } from './train-step.js';
