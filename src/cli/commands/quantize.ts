import type { Command } from 'commander';
import type { CalibrationMethod } from '../../compress/quantize/calibration.js';
import { quantize } from '../../compress/quantize/quantize.js';
import { quantizationReport } from '../../compress/quantize/report.js';
import { slice } from '../../ops/slice.js';
import { suggestion } from '../../utils/suggest.js';
import { compressionSummary, printCompressionSummary, recompileLike } from '../compression.js';
import {
  addDataOptions,
  type DataOptions,
  dataFromOptions,
  givenDataOptions,
} from '../data-options.js';
import { UsageError } from '../errors.js';
import { openModel } from '../model-files.js';
import { checkInputShape, intOption, numberOption } from '../options.js';
import { calibrationProgress } from '../task-progress.js';

interface QuantizeCliOptions extends DataOptions {
  mode: string;
  calibrationSamples: number;
  calibrationMethod: string;
  percentile?: number;
  layers?: string;
  output?: string;
  json?: boolean;
}

const MODES = ['static', 'dynamic'];
const METHODS = ['minmax', 'percentile', 'entropy'];

function oneOf(flag: string, value: string, allowed: readonly string[]): void {
  if (!allowed.includes(value))
    throw new UsageError(
      `${flag} must be ${allowed.join(' or ')}, got '${value}'${suggestion(value, allowed)}`,
    );
}

/**
 * `keel quantize MODEL --mode static --dataset mnist`: post-training int8 quantization
 * (`compress.quantize`), calibrated on the first training samples of the data, then the
 * compression report on its test samples (accuracy before and after, file sizes, latency).
 */
export function registerQuantize(program: Command): void {
  const command = program
    .command('quantize')
    .description(
      'Quantize a trained model to int8 (static: calibrated on data; dynamic: Dense layers), report and save it.',
    )
    .argument('<model>', 'a model file (Keel, ONNX or TensorFlow.js) with Dense/Conv2D layers');
  addDataOptions(command)
    .option(
      '--mode <mode>',
      'static (calibrated activations, Conv2D and Dense) or dynamic',
      'static',
    )
    .option(
      '--calibration-samples <n>',
      'training samples the static ranges are measured on',
      intOption('--calibration-samples', 1),
      512,
    )
    .option('--calibration-method <m>', 'minmax, percentile or entropy', 'minmax')
    .option(
      '--percentile <p>',
      'the percentile kept by --calibration-method percentile',
      numberOption('--percentile', 50, 100),
    )
    .option('--layers <names>', 'quantize only these layers (comma separated)')
    .option('-o, --output <file>', 'the quantized model file (default <model>-int8.keel)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
The data gives the calibration samples (the first --calibration-samples of its training set) and
the test samples the report measures accuracy on; dynamic mode runs without data (no accuracy).

Examples:
  $ keel quantize mnist-cnn.keel --dataset mnist
  $ keel quantize mnist-cnn.keel --config examples/configs/mnist-cnn.json --calibration-method entropy -o cnn-int8.keel
  $ keel quantize mlp.keel --mode dynamic --json`,
    )
    .action(async (file: string, options: QuantizeCliOptions) => {
      oneOf('--mode', options.mode, MODES);
      oneOf('--calibration-method', options.calibrationMethod, METHODS);
      const hasData = givenDataOptions(options).length > 0;
      if (options.mode === 'static' && !hasData)
        throw new UsageError(
          '--mode static needs calibration data: give --config, --dataset, --csv or --images',
        );
      const model = openModel(file);
      const loss = model.compiled?.losses[0]?.name ?? '';
      const data = hasData ? await dataFromOptions(options, loss, false) : null;
      if (data) checkInputShape(model, data.xTrain, file);
      const n = Math.min(options.calibrationSamples, data?.xTrain.shape[0] ?? 0);
      const calibrationData = data ? slice(data.xTrain, [0], [n]) : undefined;
      let quantized: ReturnType<typeof quantize>;
      try {
        quantized = quantize(model, {
          mode: options.mode as 'static' | 'dynamic',
          calibrationData,
          calibration: options.calibrationMethod as CalibrationMethod,
          ...(options.percentile !== undefined ? { percentile: options.percentile } : {}),
          ...(options.layers ? { layers: options.layers.split(',').map((s) => s.trim()) } : {}),
          ...(options.json ? {} : { onProgress: calibrationProgress() }),
        });
      } catch (e) {
        throw new UsageError(`${file}: ${(e as Error).message}`);
      }
      recompileLike(quantized, model);
      const output = options.output ?? `${file.replace(/\.(keel|onnx|json)$/, '')}-int8.keel`;
      const summary = await compressionSummary(file, model, quantized, output, data);
      const layers = quantizationReport(quantized);
      if (options.json) {
        console.log(
          JSON.stringify({
            ...summary,
            mode: options.mode,
            calibrationSamples: calibrationData ? n : 0,
            quantized: layers.quantized,
            float: layers.float,
          }),
        );
        return;
      }
      console.log(String(layers));
      printCompressionSummary(file, summary);
    });
}
