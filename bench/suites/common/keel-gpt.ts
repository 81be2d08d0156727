/** The char-GPT of examples/char-gpt.ts in Keel, shared by the gpt suite and the distributed bench. */
import { GPT, losses, optimizers, type TrainingStrategy } from '../../../src/index.js';

/**
 * 4 layers, 4 heads, embedding 128, context 64, no dropout; compiled with AdamW (lr 1e-3, betas
 * 0.9/0.99, eps 1e-8, weight decay 0.1 on matrices only, global-norm clip 1.0) and sparse
 * cross-entropy on logits, under `strategy` when given.
 */
export function buildKeelCharGpt(vocabularySize: number, strategy?: TrainingStrategy): GPT {
  const gpt = new GPT({
    vocabularySize,
    sequenceLength: 64,
    numLayers: 4,
    numHeads: 4,
    hiddenDim: 128,
    dropout: 0,
  });
  const optimizer = new optimizers.AdamW({
    learningRate: 1e-3,
    beta1: 0.9,
    beta2: 0.99,
    epsilon: 1e-8,
    weightDecay: 0.1,
    globalClipnorm: 1.0,
  });
  optimizer.excludeFromWeightDecay({ belowRank: 2, varNames: ['bias'] });
  gpt.compile({
    optimizer,
    loss: new losses.SparseCategoricalCrossentropy({ fromLogits: true }),
    strategy,
  });
  return gpt;
}
