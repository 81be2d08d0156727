/**
 * The Open Inference Protocol (KServe v2, Triton's HTTP API,
 * https://kserve.github.io/website/latest/modelserving/data_plane/v2_protocol/): health, server
 * and model metadata, model readiness, and `POST /v2/models/{name}[/versions/{v}]/infer` with
 * typed tensors ({name, shape, datatype, data}). Errors are `{"error": "..."}`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ModelVersion } from '../repository/model-repository.js';
import type { TensorSpec } from '../repository/signature.js';
import { lookupVersion, predictBody, type ServeContext, withVersion } from './context.js';
import { KSERVE_DATATYPES, type PredictInfo } from './request-bodies.js';

export const SERVER_NAME = 'keel';
export const SERVER_VERSION = process.env['npm_package_version'] ?? '0.1.0';

const tensorMeta = (s: TensorSpec) => ({
  name: s.name,
  datatype: KSERVE_DATATYPES[s.dtype] ?? s.dtype.toUpperCase(),
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
    const inferConfig = { ...config, billable: true, rawBody: true };
    app.post(`${base}/infer`, { config: inferConfig }, async (request) =>
      withVersion(ctx, request, refOf(request), async (v) => {
        const { outputs, info } = await predictBody(ctx, request, v, 'kserve');
        const { id, wanted } = info as Extract<PredictInfo, { protocol: 'kserve' }>;
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
              datatype: KSERVE_DATATYPES[specs[k]!.dtype] ?? 'FP32',
              data: Array.from(t.data),
            };
          }),
        };
      }),
    );
  }
}
