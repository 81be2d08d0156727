import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { saveOnnx } from '../../io/onnx/export.js';
import { saveTfjsModel } from '../../io/tfjs/tfjs-format.js';
import { UsageError } from '../errors.js';
import { openModel } from '../model-files.js';

const FORMATS = ['onnx', 'tfjs', 'keel'] as const;
type Format = (typeof FORMATS)[number];

/** Converts a model between Keel, ONNX and TensorFlow.js; returns the path written. */
export function convertModel(input: string, to: Format, output: string): string {
  const model = openModel(input);
  if (to === 'onnx') saveOnnx(model, output);
  else if (to === 'tfjs') return saveTfjsModel(model, output);
  else model.save(output);
  return output;
}

/** `keel convert MODEL --to onnx -o model.onnx`. */
export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('Convert a model between the Keel, ONNX and TensorFlow.js formats.')
    .argument(
      '<model>',
      'a Keel model file, an .onnx file, or a TensorFlow.js model.json (or its folder)',
    )
    .requiredOption('--to <format>', `the target format: ${FORMATS.join(', ')}`)
    .option('-o, --output <path>', 'the file (onnx, keel) or folder (tfjs) to write')
    .option('--force', 'overwrite the output if it exists')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ keel convert mnist-cnn.keel --to onnx -o mnist-cnn.onnx
  $ keel convert mnist-cnn.keel --to tfjs -o web-model/
  $ keel convert model.onnx --to keel -o model.keel`,
    )
    .action(
      (file: string, options: { to: string; output?: string; force?: boolean; json?: boolean }) => {
        if (!FORMATS.includes(options.to as Format)) {
          throw new UsageError(`--to must be one of ${FORMATS.join(', ')}, got '${options.to}'`);
        }
        const to = options.to as Format;
        const stem = file.replace(/\.(keel|onnx|json)$/, '').replace(/\/$/, '');
        const output = options.output ?? (to === 'tfjs' ? `${stem}-tfjs` : `${stem}.${to}`);
        if (output === file) throw new UsageError(`the output ${output} is the input; give -o`);
        if (existsSync(output) && !options.force) {
          throw new UsageError(`${output} exists; pass --force to overwrite it`);
        }
        const written = convertModel(file, to, output);
        if (options.json) console.log(JSON.stringify({ input: file, format: to, output: written }));
        else console.log(`Wrote ${written}`);
      },
    );
}
