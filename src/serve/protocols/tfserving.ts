/**
 * The TensorFlow Serving REST API (https://www.tensorflow.org/tfx/serving/api_rest):
 * model status `GET /v1/models/{name}[/versions/{v}|/labels/{l}]`, metadata `.../metadata`, and
 * `POST /v1/models/{name}[/versions/{v}|/labels/{l}]:predict` with the row ("instances") or the
 * columnar ("inputs") format; errors are `{"error": "..."}` as TF Serving writes them.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WireTensor } from '../inference/wire.js';
import type { ModelVersion } from '../repository/model-repository.js';
import type { TensorSpec } from '../repository/signature.js';
import { lookupVersion, predictBody, type ServeContext, withVersion } from './context.js';
import { HttpError } from './http-error.js';
import { toNested } from './tensor-json.js';

const DTYPES: Record<string, string> = { float32: 'DT_FLOAT', int32: 'DT_INT32' };

interface Ref {
  name: string;
  version?: string;
  label?: string;
}

function tensorInfo(spec: TensorSpec) {
  return {
    dtype: DTYPES[spec.dtype] ?? 'DT_INVALID',
    tensor_shape: {
      dim: spec.shape.map((d) => ({ size: String(d ?? -1), name: '' })),
      unknown_rank: false,
    },
    name: `serving_default_${spec.name}:0`,
  };
}

function metadata(v: ModelVersion) {
  const byName = (specs: TensorSpec[]) =>
    Object.fromEntries(specs.map((s) => [s.name, tensorInfo(s)]));
  return {
    model_spec: { name: v.name, signature_name: '', version: String(v.version) },
    metadata: {
      signature_def: {
        signature_def: {
          serving_default: {
            inputs: byName(v.signature.inputs),
            outputs: byName(v.signature.outputs),
            method_name: 'tensorflow/serving/predict',
          },
        },
      },
    },
  };
}

function status(ctx: ServeContext, ref: Ref) {
  const ok = { error_code: 'OK', error_message: '' };
  if (ref.version !== undefined || ref.label !== undefined) {
    const v = lookupVersion(ctx, ref);
    return { model_version_status: [{ version: String(v.version), state: v.state, status: ok }] };
  }
  const versions = ctx.repository.versionsOf(ref.name);
  const failed = [...ctx.repository.errors]
    .filter(([id]) => id.startsWith(`${ref.name}/`))
    .map(([id, message]) => ({
      version: id.slice(ref.name.length + 1),
      state: 'END',
      status: { error_code: 'UNKNOWN', error_message: message },
    }));
  if (versions.length === 0 && failed.length === 0) lookupVersion(ctx, ref); // 404
  return {
    model_version_status: [
      ...versions.map((v) => ({ version: String(v.version), state: v.state, status: ok })),
      ...failed,
    ],
  };
}

function predictResponse(v: ModelVersion, outputs: WireTensor[], rowFormat: boolean) {
  const names = v.signature.outputs.map((o) => o.name);
  const nested = outputs.map(toNested);
  if (!rowFormat) {
    return {
      outputs:
        nested.length === 1 ? nested[0] : Object.fromEntries(names.map((n, i) => [n, nested[i]])),
    };
  }
  if (nested.length === 1) return { predictions: nested[0] };
  const rows = outputs[0]!.shape[0]!;
  return {
    predictions: Array.from({ length: rows }, (_, r) =>
      Object.fromEntries(names.map((n, i) => [n, nested[i]![r]])),
    ),
  };
}

export function tfServingPlugin(app: FastifyInstance, ctx: ServeContext): void {
  const config = { protocol: 'tfserving' as const };
  const refOf = (request: FastifyRequest): Ref => request.params as Ref;
  for (const suffix of ['', '/versions/:version', '/labels/:label']) {
    const base = `/v1/models/:name${suffix}`;
    app.get(base, { config }, async (request) => status(ctx, refOf(request)));
    app.get(`${base}/metadata`, { config }, async (request) =>
      metadata(lookupVersion(ctx, refOf(request))),
    );
    // ':predict' is part of the last path segment ('/v1/models/mlp:predict').
    const verbBase = base.replace(/\/:(\w+)$/, '/:$1Verb');
    app.post(
      verbBase,
      { config: { ...config, billable: true, rawBody: true } },
      async (request) => {
        const params = request.params as Record<string, string>;
        const last = Object.keys(params).find((k) => k.endsWith('Verb'))!;
        const at = params[last]!.lastIndexOf(':');
        const verb = at < 0 ? '' : params[last]!.slice(at + 1);
        const ref = {
          ...params,
          [last.slice(0, -4)]: at < 0 ? params[last]! : params[last]!.slice(0, at),
        } as unknown as Ref;
        if (verb !== 'predict') {
          throw new HttpError(
            verb === 'classify' || verb === 'regress' ? 400 : 404,
            verb === 'classify' || verb === 'regress'
              ? `:${verb} is not supported; use :predict`
              : `no route POST ${request.url.slice(0, 200)} (expected ...:predict)`,
          );
        }
        return withVersion(ctx, request, ref, async (v) => {
          const { outputs, info } = await predictBody(ctx, request, v, 'tfserving');
          return predictResponse(v, outputs, info.protocol === 'tfserving' && info.rowFormat);
        });
      },
    );
  }
}
