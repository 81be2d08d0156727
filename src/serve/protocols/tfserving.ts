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
import {
  bodyObject,
  lookupVersion,
  predictRows,
  type ServeContext,
  withVersion,
} from './context.js';
import { HttpError } from './http-error.js';
import { fromNested, toNested } from './tensor-json.js';

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

/** The inputs of a request in either format, validated against the signature. */
export function parsePredictBody(
  v: ModelVersion,
  body: unknown,
): { inputs: WireTensor[]; rowFormat: boolean } {
  const b = bodyObject(body, ['signature_name', 'instances', 'inputs']);
  const sig = b['signature_name'];
  if (sig !== undefined && sig !== 'serving_default' && sig !== '')
    throw new HttpError(
      400,
      `Serving signature name: "${String(sig).slice(0, 64)}" not found in signature def`,
    );
  const specs = v.signature.inputs;
  if ('instances' in b === 'inputs' in b)
    throw new HttpError(
      400,
      "Missing 'inputs' or 'instances' key (exactly one of them is required)",
    );
  if ('instances' in b) {
    const instances = b['instances'];
    if (!Array.isArray(instances)) throw new HttpError(400, "'instances' must be a list");
    const named = instances.length > 0 && isObject(instances[0]);
    const inputs = specs.map((spec) => {
      if (!named) {
        if (specs.length > 1)
          throw new HttpError(
            400,
            `the model has ${specs.length} inputs (${specs.map((s) => s.name).join(', ')}): each instance must be an object naming them`,
          );
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
    return { inputs, rowFormat: true };
  }
  const columns = b['inputs'];
  if (isObject(columns)) {
    checkNames(columns, specs);
    return { inputs: specs.map((spec) => fromNested(spec, columns[spec.name])), rowFormat: false };
  }
  if (specs.length > 1)
    throw new HttpError(
      400,
      `the model has ${specs.length} inputs: 'inputs' must be an object naming them`,
    );
  return { inputs: [fromNested(specs[0]!, columns)], rowFormat: false };
}

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
  typeof v === 'object' && v !== null && !Array.isArray(v);

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
    app.post(verbBase, { config: { ...config, billable: true } }, async (request) => {
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
        const { inputs, rowFormat } = parsePredictBody(v, request.body);
        return predictResponse(v, await predictRows(ctx, request, v, inputs), rowFormat);
      });
    });
  }
}
