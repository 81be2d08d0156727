import { Tensor } from '../../tensor/tensor.js';
import { ModelProto, ONNX_DTYPE, type OnnxModel, type OnnxTensor } from './schema.js';

/** Decodes a serialized ONNX ModelProto; malformed bytes are an Error naming `source`. */
export function decodeOnnx(
  bytes: Uint8Array,
  source: string,
  maxNodes = Number.POSITIVE_INFINITY,
): OnnxModel {
  let decoded: unknown;
  let message: ReturnType<typeof ModelProto.decode>;
  try {
    message = ModelProto.decode(bytes);
  } catch (e) {
    throw new Error(`${source}: not a valid ONNX model (${(e as Error).message})`);
  }
  // Counted before the conversion to plain objects, which costs far more than the decoding.
  const nodeCount = (message as { graph?: { node?: unknown[] } }).graph?.node?.length ?? 0;
  if (nodeCount > maxNodes)
    throw new RangeError(
      `${source}: the graph has ${nodeCount} nodes, more than maxNodes=${maxNodes} (each becomes a layer; pass a larger maxNodes for a trusted file)`,
    );
  try {
    decoded = ModelProto.toObject(message, {
      longs: Number,
      arrays: true,
      defaults: false,
    });
  } catch (e) {
    throw new Error(`${source}: not a valid ONNX model (${(e as Error).message})`);
  }
  const model = decoded as OnnxModel;
  if (!model.graph) throw new Error(`${source}: the ONNX model has no graph`);
  return model;
}

/**
 * An initializer as a Keel tensor: float32 (FLOAT, DOUBLE), int32 (INT32, INT64, checked to fit),
 * int8 or uint8 (quantized weights and zero points).
 */
export function initializerTensor(t: OnnxTensor, source: string): Tensor {
  const what = `${source}: initializer '${t.name}'`;
  if (t.dataLocation === 1) throw new Error(`${what}: external data is not supported`);
  const dims = t.dims ?? [];
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw new Error(`${what}: invalid dims [${dims}]`);
  const size = dims.reduce((a, b) => a * b, 1);
  const raw = t.rawData && t.rawData.byteLength > 0 ? t.rawData : null;
  const fromRaw = (bytes: number) => {
    if (raw!.byteLength !== size * bytes)
      throw new Error(
        `${what}: raw_data has ${raw!.byteLength} bytes, dims [${dims}] need ${size * bytes}`,
      );
    const copy = new Uint8Array(raw!.byteLength);
    copy.set(raw!);
    return copy.buffer;
  };
  const check = (n: number) => {
    if (n !== size) throw new Error(`${what}: holds ${n} values, dims [${dims}] need ${size}`);
  };
  switch (t.dataType) {
    case ONNX_DTYPE.FLOAT: {
      if (raw) return new Tensor(new Float32Array(fromRaw(4)), dims, 'float32');
      check(t.floatData?.length ?? 0);
      return new Tensor(Float32Array.from(t.floatData ?? []), dims, 'float32');
    }
    case ONNX_DTYPE.DOUBLE: {
      const values = raw ? new Float64Array(fromRaw(8)) : Float64Array.from(t.doubleData ?? []);
      check(values.length);
      return new Tensor(Float32Array.from(values), dims, 'float32');
    }
    case ONNX_DTYPE.INT64:
    case ONNX_DTYPE.INT32: {
      const values: ArrayLike<number | bigint> = raw
        ? t.dataType === ONNX_DTYPE.INT64
          ? new BigInt64Array(fromRaw(8))
          : new Int32Array(fromRaw(4))
        : t.dataType === ONNX_DTYPE.INT64
          ? (t.int64Data ?? [])
          : (t.int32Data ?? []);
      check(values.length);
      const out = new Int32Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const v = Number(values[i]);
        if (!(v >= -(2 ** 31) && v < 2 ** 31))
          throw new Error(`${what}: value ${v} does not fit in int32`);
        out[i] = v;
      }
      return new Tensor(out, dims, 'int32');
    }
    case ONNX_DTYPE.INT8:
    case ONNX_DTYPE.UINT8: {
      // Quantized weights and zero points: raw bytes, or one value per int32_data entry.
      const int8 = t.dataType === ONNX_DTYPE.INT8;
      const values = raw
        ? int8
          ? new Int8Array(fromRaw(1))
          : new Uint8Array(fromRaw(1))
        : int8
          ? Int8Array.from(t.int32Data ?? [])
          : Uint8Array.from(t.int32Data ?? []);
      check(values.length);
      return new Tensor(values, dims, int8 ? 'int8' : 'uint8');
    }
    default:
      throw new Error(
        `${what}: data type ${t.dataType} is not supported (float, double, int32, int64, int8, uint8)`,
      );
  }
}
