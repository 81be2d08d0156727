/**
 * The Open Inference Protocol (KServe v2, Triton's HTTP API,
 * https://kserve.github.io/website/latest/modelserving/data_plane/v2_protocol/): health, server
 * and model metadata, model readiness, and `POST /v2/models/{name}[/versions/{v}]/infer` with
 * typed tensors ({name, shape, datatype, data}). Errors are `{"error": "..."}`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ModelVersion } from '../repository/model-repository.js';
import type { TensorSpec } from '../repository/signature.js';
import {
  bodyObject,
  lookupVersion,
  predictRows,
  type ServeContext,
  withVersion,
} from './context.js';
import { HttpError } from './http-error.js';
import { fromFlat } from './tensor-json.js';

const DATATYPES: Record<string, string> = { float32: 'FP32', int32: 'INT32' };

export const SERVER_NAME = 'keel';
export const SERVER_VERSION = process.env['npm_package_version'] ?? '0.1.0';

const tensorMeta = (s: TensorSpec) => ({
  name: s.name,
  datatype: DATATYPES[s.dtype] ?? s.dtype.toUpperCase(),
  shape: s.shape.map((d) => d ?? -1),
});

function modelMetadata(ctx: ServeContext, v: ModelVersion) {
  return {
    name: v.name,
    versions: ctx.repository
      .versionsOf(v.name)
      .filter((o) => o.state === 'AVAILABLE')
      .map((o) => String(o.version)),
    platform: `keel_${v.file.format}`,
    inputs: v.signature.inputs.map(tensorMeta),
    outputs: v.signature.outputs.map(tensorMeta),
  };
}

interface InferInput {
  name: string;
  shape: unknown;
  datatype: unknown;
  data: unknown;
}

function parseInfer(v: ModelVersion, body: unknown) {
  const b = bodyObject(body, ['id', 'parameters', 'inputs', 'outputs']);
  if (b['id'] !== undefined && typeof b['id'] !== 'string')
    throw new HttpError(400, "'id' must be a string");
  if (!Array.isArray(b['inputs'])) throw new HttpError(400, "'inputs' must be a list of tensors");
  const given = b['inputs'] as unknown[];
  const specs = v.signature.inputs;
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
    const want = DATATYPES[spec.dtype];
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
  let wanted = v.signature.outputs.map((o) => o.name);
  if (b['outputs'] !== undefined) {
    if (!Array.isArray(b['outputs'])) throw new HttpError(400, "'outputs' must be a list");
    wanted = (b['outputs'] as unknown[]).map((o) => {
      const name = bodyObject(o, ['name', 'parameters'])['name'];
      if (typeof name !== 'string' || !v.signature.outputs.some((s) => s.name === name))
        throw new HttpError(
          400,
          `unknown output ${JSON.stringify(name)?.slice(0, 64)} (the model's outputs: ${v.signature.outputs.map((s) => s.name).join(', ')})`,
        );
      return name;
    });
  }
  return { id: b['id'] as string | undefined, inputs, wanted };
}

export function kserveV2Plugin(app: FastifyInstance, ctx: ServeContext): void {
  const config = { protocol: 'kserve' as const };
  app.get('/v2', { config }, async () => ({
    name: SERVER_NAME,
    version: SERVER_VERSION,
    extensions: [],
  }));
  app.get('/v2/health/live', { config }, async () => ({ live: true }));
  app.get('/v2/health/ready', { config }, async (_request, reply) => {
    const ready = ctx.repository.ready;
    return reply.code(ready ? 200 : 503).send({ ready });
  });
  const refOf = (request: FastifyRequest) => request.params as { name: string; version?: string };
  for (const suffix of ['', '/versions/:version']) {
    const base = `/v2/models/:name${suffix}`;
    app.get(base, { config }, async (request) =>
      modelMetadata(ctx, lookupVersion(ctx, refOf(request))),
    );
    app.get(`${base}/ready`, { config }, async (request) => {
      const v = lookupVersion(ctx, refOf(request));
      return { name: v.name, ready: v.state === 'AVAILABLE' };
    });
    app.post(`${base}/infer`, { config: { ...config, billable: true } }, async (request) =>
      withVersion(ctx, request, refOf(request), async (v) => {
        const { id, inputs, wanted } = parseInfer(v, request.body);
        const outputs = await predictRows(ctx, request, v, inputs);
        const specs = v.signature.outputs;
        return {
          model_name: v.name,
          model_version: String(v.version),
          ...(id !== undefined ? { id } : {}),
          outputs: wanted.map((name) => {
            const k = specs.findIndex((s) => s.name === name);
            const t = outputs[k]!;
            return {
              name,
              shape: t.shape,
              datatype: DATATYPES[specs[k]!.dtype] ?? 'FP32',
              data: Array.from(t.data),
            };
          }),
        };
      }),
    );
  }
}
