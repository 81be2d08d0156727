/**
 * The bodies of predict requests (TF Serving :predict, KServe v2 infer), parsed and checked
 * against a model's signature by pure functions of (signature, JSON): the event loop runs them
 * for a request served at once, the inference workers for batched ones, where the JSON is parsed
 * too. Errors are HttpErrors naming the field or input, expected and got.
 */
import type { WireTensor } from '../inference/wire.js';
import type { ModelSignature, TensorSpec } from '../repository/signature.js';
import { HttpError } from './http-error.js';
import { fromFlat, fromNested } from './tensor-json.js';
import { NumericBlock, parseTensorJson } from './tensor-json-parser.js';

export type PredictProtocol = 'tfserving' | 'kserve';

/** What a response needs besides the outputs (plain data: it crosses from the workers). */
export type PredictInfo =
  | { protocol: 'tfserving'; rowFormat: boolean }
  | { protocol: 'kserve'; id: string | undefined; wanted: string[] };

export const KSERVE_DATATYPES: Record<string, string> = { float32: 'FP32', int32: 'INT32' };

/** A raw predict body: parsed (depth-guarded), checked, and its batch not empty. */
export function parsePredictRequest(
  protocol: PredictProtocol,
  signature: ModelSignature,
  text: string,
  maxDepth: number,
): { inputs: WireTensor[]; info: PredictInfo } {
  const float32 = signature.inputs.every((s) => s.dtype === 'float32');
  return parsePredictJson(protocol, signature, parseTensorJson(text, { maxDepth, float32 }));
}

/** A parsed predict body, checked; its batch not empty. */
export function parsePredictJson(
  protocol: PredictProtocol,
  signature: ModelSignature,
  json: unknown,
): { inputs: WireTensor[]; info: PredictInfo } {
  const parsed =
    protocol === 'tfserving'
      ? parseTfServingPredict(signature, json)
      : parseKserveInfer(signature, json);
  if ((parsed.inputs[0]?.shape[0] ?? 0) === 0)
    throw new HttpError(400, 'the request holds no rows (an empty batch)');
  return parsed;
}

/** The inputs of a request in either format, validated against the signature. */
export function parseTfServingPredict(
  signature: ModelSignature,
  body: unknown,
): { inputs: WireTensor[]; info: PredictInfo } {
  const b = bodyObject(body, ['signature_name', 'instances', 'inputs']);
  const sig = b['signature_name'];
  if (sig !== undefined && sig !== 'serving_default' && sig !== '')
    throw new HttpError(
      400,
      `Serving signature name: "${String(sig).slice(0, 64)}" not found in signature def`,
    );
  const specs = signature.inputs;
  if ('instances' in b === 'inputs' in b)
    throw new HttpError(
      400,
      "Missing 'inputs' or 'instances' key (exactly one of them is required)",
    );
  if ('instances' in b) {
    const instances = b['instances'];
    if (instances instanceof NumericBlock) {
      if (specs.length > 1) throw new HttpError(400, namedInstances(specs));
      return {
        inputs: [fromNested(specs[0]!, instances)],
        info: { protocol: 'tfserving', rowFormat: true },
      };
    }
    if (!Array.isArray(instances)) throw new HttpError(400, "'instances' must be a list");
    const named = instances.length > 0 && isObject(instances[0]);
    const inputs = specs.map((spec) => {
      if (!named) {
        if (specs.length > 1) throw new HttpError(400, namedInstances(specs));
        return fromNested(spec, instances, instances);
      }
      const rows = instances.map((inst, i) => {
        if (!isObject(inst))
          throw new HttpError(400, `instance ${i} is not an object like instance 0`);
        checkNames(inst, specs);
        return inst[spec.name];
      });
      return fromNested(spec, rows, rows);
    });
    return { inputs, info: { protocol: 'tfserving', rowFormat: true } };
  }
  const columns = b['inputs'];
  if (isObject(columns)) {
    checkNames(columns, specs);
    return {
      inputs: specs.map((spec) => fromNested(spec, columns[spec.name])),
      info: { protocol: 'tfserving', rowFormat: false },
    };
  }
  if (specs.length > 1)
    throw new HttpError(
      400,
      `the model has ${specs.length} inputs: 'inputs' must be an object naming them`,
    );
  return {
    inputs: [fromNested(specs[0]!, columns)],
    info: { protocol: 'tfserving', rowFormat: false },
  };
}

const namedInstances = (specs: TensorSpec[]) =>
  `the model has ${specs.length} inputs (${specs.map((s) => s.name).join(', ')}): each instance must be an object naming them`;

function checkNames(obj: Record<string, unknown>, specs: TensorSpec[]): void {
  for (const spec of specs)
    if (!(spec.name in obj)) throw new HttpError(400, `input '${spec.name}' is missing`);
  for (const key of Object.keys(obj))
    if (!specs.some((s) => s.name === key))
      throw new HttpError(
        400,
        `unknown input '${key.slice(0, 64)}' (the model's inputs: ${specs.map((s) => s.name).join(', ')})`,
      );
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof NumericBlock);

interface InferInput {
  name: string;
  shape: unknown;
  datatype: unknown;
  data: unknown;
}

/** The inputs of a KServe v2 infer request, validated against the signature. */
export function parseKserveInfer(
  signature: ModelSignature,
  body: unknown,
): { inputs: WireTensor[]; info: PredictInfo } {
  const b = bodyObject(body, ['id', 'parameters', 'inputs', 'outputs']);
  if (b['id'] !== undefined && typeof b['id'] !== 'string')
    throw new HttpError(400, "'id' must be a string");
  if (!Array.isArray(b['inputs'])) throw new HttpError(400, "'inputs' must be a list of tensors");
  const given = b['inputs'] as unknown[];
  const specs = signature.inputs;
  const byName = new Map<string, InferInput>();
  for (const t of given) {
    const input = bodyObject(t, [
      'name',
      'shape',
      'datatype',
      'parameters',
      'data',
    ]) as unknown as InferInput;
    if (typeof input.name !== 'string') throw new HttpError(400, "each input needs a 'name'");
    if (!specs.some((s) => s.name === input.name))
      throw new HttpError(
        400,
        `unknown input '${input.name.slice(0, 64)}' (the model's inputs: ${specs.map((s) => s.name).join(', ')})`,
      );
    if (byName.has(input.name)) throw new HttpError(400, `input '${input.name}' given twice`);
    byName.set(input.name, input);
  }
  const inputs = specs.map((spec) => {
    const t = byName.get(spec.name);
    if (!t) throw new HttpError(400, `input '${spec.name}' is missing`);
    const want = KSERVE_DATATYPES[spec.dtype];
    if (t.datatype !== want)
      throw new HttpError(
        400,
        `input '${spec.name}': expected datatype ${want}, got ${JSON.stringify(t.datatype)?.slice(0, 20)}`,
      );
    return fromFlat(spec, t.shape, t.data);
  });
  const rows = inputs[0]!.shape[0];
  const mismatch = inputs.find((t) => t.shape[0] !== rows);
  if (mismatch)
    throw new HttpError(
      400,
      `all inputs need the same batch size (first axis), got ${inputs.map((t) => t.shape[0]).join(' and ')}`,
    );
  let wanted = signature.outputs.map((o) => o.name);
  if (b['outputs'] !== undefined) {
    if (!Array.isArray(b['outputs'])) throw new HttpError(400, "'outputs' must be a list");
    wanted = (b['outputs'] as unknown[]).map((o) => {
      const name = bodyObject(o, ['name', 'parameters'])['name'];
      if (typeof name !== 'string' || !signature.outputs.some((s) => s.name === name))
        throw new HttpError(
          400,
          `unknown output ${JSON.stringify(name)?.slice(0, 64)} (the model's outputs: ${signature.outputs.map((s) => s.name).join(', ')})`,
        );
      return name;
    });
  }
  return { inputs, info: { protocol: 'kserve', id: b['id'] as string | undefined, wanted } };
}

/** Checks that a parsed JSON body is an object with only the fields listed. */
export function bodyObject(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (
    typeof body !== 'object' ||
    body === null ||
    Array.isArray(body) ||
    body instanceof NumericBlock
  )
    throw new HttpError(400, 'the request body must be a JSON object');
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key))
      throw new HttpError(
        400,
        `unknown field '${key.slice(0, 64)}' in the request body (accepted: ${allowed.join(', ')})`,
      );
  }
  return body as Record<string, unknown>;
}
