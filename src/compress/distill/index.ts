export { type CaptureSpec, captureDuring, findLayer } from './capture.js';
export { Distiller, type DistillerArgs, type DistillerCompileArgs } from './distiller.js';
export { type AttentionHint, attentionLoss, type FeatureHint, hintLoss } from './hints.js';
export { finalActivation } from './output-kind.js';
export { type OutputActivation, outputLogits, softTargetKL, softTargets } from './soft-targets.js';
