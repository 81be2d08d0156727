import type { Model } from '../../models/model.js';
import { refuseStringInput } from '../../models/prepare.js';
import type { Layer } from '../../nn/engine/layer.js';
import type { SymbolicTensor } from '../../nn/engine/symbolic-tensor.js';
import type { DType } from '../../tensor/dtype.js';
import { writeFileAtomic } from '../atomic-write.js';
import { OnnxBuilder } from './builder.js';
import { LAYER_EXPORTERS } from './export-layers.js';
import { ModelProto, ONNX_DTYPE, type OnnxValueInfo } from './schema.js';

/** Options of `exportOnnx`. */
export interface OnnxExportOptions {
  /** ONNX opset (default 17; at least 17). */
  opset?: number;
}

const ELEM_TYPE: Partial<Record<DType, number>> = {
  float32: ONNX_DTYPE.FLOAT,
  int32: ONNX_DTYPE.INT32,
  bool: ONNX_DTYPE.BOOL,
};

function valueInfo(name: string, t: SymbolicTensor): OnnxValueInfo {
  const elemType = ELEM_TYPE[t.dtype];
  if (elemType === undefined)
    throw new Error(
      `exportOnnx: tensor '${t.name}' has dtype ${t.dtype}, which ONNX export does not support`,
    );
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: {
          dim: t.shape.map((d, i) =>
            d === null ? { dimParam: i === 0 ? 'batch' : `d${i}` } : { dimValue: d },
          ),
        },
      },
    },
  };
}

/**
 * Converts a Sequential or functional model to an ONNX model (opset 17+), inputs and outputs in
 * Keel's layouts (channels last): convolutions and pooling are wrapped in Transposes. Returns the
 * serialized ModelProto. `writeFileSync('m.onnx', exportOnnx(model))`
 */
export function exportOnnx(model: Model, options: OnnxExportOptions = {}): Uint8Array {
  const opset = options.opset ?? 17;
  if (!(Number.isInteger(opset) && opset >= 17))
    throw new RangeError(`exportOnnx: opset must be an integer >= 17, got ${opset}`);
  refuseStringInput(model, 'exportOnnx');
  const graph = model.graph;
  if (!graph) {
    throw new Error(
      `exportOnnx: model '${model.name}' has no graph (subclassed, or a Sequential not built yet); call it on data first or use the functional API`,
    );
  }
  const b = new OnnxBuilder(opset);
  const names = new Map<SymbolicTensor, string>();
  const inputs = graph.inputs.map((t) => {
    const name = b.reserve(b.fresh(t.name || 'input'));
    names.set(t, name);
    return valueInfo(name, t);
  });
  const masked = new Map<SymbolicTensor, string>();
  for (const call of graph.calls) {
    const layer = call.layer as Layer;
    const className = (layer.constructor as typeof Layer).className;
    if (className === 'InputLayer') continue;
    trackMasks(call, className, masked);
    const convert = Object.hasOwn(LAYER_EXPORTERS, className)
      ? LAYER_EXPORTERS[className]
      : undefined;
    if (!convert) {
      const why = NO_CONVERSION[className];
      throw new Error(
        `exportOnnx: layer '${layer.name}' (${className}) has no ONNX conversion${why ? ` (${why})` : ''}; supported: ${Object.keys(LAYER_EXPORTERS).join(', ')}`,
      );
    }
    const ins = call.inputs.map((t) => {
      const n = names.get(t);
      if (n === undefined)
        throw new Error(`exportOnnx: input '${t.name}' of layer '${layer.name}' was not produced`);
      return n;
    });
    const outs = convert({
      b,
      layer,
      config: layer.getConfig(),
      inputs: ins,
      shapes: call.inputs.map((t) => t.shape),
      weights: layer.weights,
      kwargs: call.kwargs,
    });
    call.outputs.forEach((t, i) => {
      names.set(t, outs[i]!);
    });
  }
  const outputs = graph.outputs.map((t, i) => {
    const inner = names.get(t)!;
    const name = b.fresh(`output_${i}`);
    b.node('Identity', [inner], {}, [name]);
    return valueInfo(name, t);
  });
  const message = ModelProto.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'keel',
    producerVersion: '0.1.0',
    graph: {
      name: model.name,
      node: b.nodes,
      initializer: b.initializers,
      input: inputs,
      output: outputs,
    },
  });
  // protobufjs gives a Buffer in Node; a plain Uint8Array keeps slice() a copy, as callers expect.
  const bytes = ModelProto.encode(message).finish();
  return new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Why the Keras layers that ONNX cannot express have no converter. */
const NO_CONVERSION: Readonly<Record<string, string>> = {
  ConvLSTM2D: 'ONNX has no convolutional recurrent op',
  RNN: 'a loop over an arbitrary cell; use the LSTM, GRU or SimpleRNN layer, which export as ONNX LSTM/GRU/RNN',
  StackedRNNCells: 'a cell, exported only inside a recurrent layer',
  LSTMCell: 'a cell, exported only inside a recurrent layer',
  GRUCell: 'a cell, exported only inside a recurrent layer',
  SimpleRNNCell: 'a cell, exported only inside a recurrent layer',
};

/** Layers whose values do not depend on an incoming mask (they may pass it on). */
const MASK_NEUTRAL = new Set([
  'Dense',
  'Activation',
  'Dropout',
  'LayerNormalization',
  'BatchNormalization',
  'Add',
  'Multiply',
  'Concatenate',
  'Masking',
  'SinusoidalPositionEncoding',
]);

/**
 * ONNX has no masks: Masking and maskZero embeddings export their values only, so a layer whose
 * result would read their mask (a recurrent layer, attention, pooling...) is refused by name.
 */
function trackMasks(
  call: { layer: Layer; inputs: readonly SymbolicTensor[]; outputs: readonly SymbolicTensor[] },
  className: string,
  masked: Map<SymbolicTensor, string>,
): void {
  const from = call.inputs.map((t) => masked.get(t)).find((m) => m !== undefined);
  if (from !== undefined && !MASK_NEUTRAL.has(className))
    throw new Error(
      `exportOnnx: layer '${call.layer.name}' (${className}) would read the mask made by ${from}; ONNX has no masks, so export the model without Masking/maskZero or without masked steps`,
    );
  const config = call.layer.getConfig();
  const makes =
    className === 'Masking' ||
    (['Embedding', 'TokenAndPositionEmbedding'].includes(className) && config['maskZero']);
  const origin = makes ? `'${call.layer.name}' (${className})` : from;
  if (origin !== undefined) for (const t of call.outputs) masked.set(t, origin);
}

/** Writes `exportOnnx(model)` to `path` atomically. */
export function saveOnnx(model: Model, path: string, options: OnnxExportOptions = {}): void {
  writeFileAtomic(path, exportOnnx(model, options));
}
