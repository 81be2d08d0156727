import type { Command } from 'commander';
import { openModel } from '../model-files.js';

/** `keel summary FILE`: the Keras-style summary of a Keel, ONNX or TensorFlow.js model. */
export function registerSummary(program: Command): void {
  program
    .command('summary')
    .description('Print the layers, shapes and parameter counts of a model file.')
    .argument(
      '<file>',
      'a Keel model file, an .onnx file, or a TensorFlow.js model.json (or its folder)',
    )
    .option('--json', 'print the layers as JSON instead of a table')
    .addHelpText(
      'after',
      '\nExamples:\n  $ keel summary mnist-cnn.keel\n  $ keel summary model.onnx --json',
    )
    .action((file: string, options: { json?: boolean }) => {
      const model = openModel(file);
      if (options.json) {
        const layers = model.layers.map((l) => ({
          name: l.name,
          className: (l.constructor as { className?: string }).className ?? l.constructor.name,
          params: l.weights.reduce((s, w) => s + w.size, 0),
        }));
        const params = layers.reduce((s, l) => s + l.params, 0);
        console.log(JSON.stringify({ name: model.name, params, layers }, null, 2));
      } else {
        model.summary();
      }
    });
}
