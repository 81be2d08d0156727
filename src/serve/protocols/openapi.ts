/** The OpenAPI 3.1 description of the serving API, served at GET /openapi.json. */
import type { FastifyInstance } from 'fastify';
import { SERVER_VERSION } from './kserve-v2.js';

const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const error = { description: 'error', ...json({ type: 'object', properties: { error: {} } }) };
const name = { name: 'name', in: 'path', required: true, schema: { type: 'string' } };
const version = { name: 'version', in: 'path', required: true, schema: { type: 'string' } };
const tensor = {
  type: 'object',
  required: ['name', 'shape', 'datatype', 'data'],
  properties: {
    name: { type: 'string' },
    shape: { type: 'array', items: { type: 'integer' } },
    datatype: { type: 'string', enum: ['FP32', 'INT32'] },
    data: { type: 'array' },
  },
};
const secured = { security: [{ bearer: [] }, { apiKey: [] }] };
const errors = {
  400: error,
  401: error,
  404: error,
  413: error,
  429: error,
  503: error,
  504: error,
};

export function openApiDocument() {
  const predict = {
    post: {
      summary: 'TF Serving predict (row "instances" or columnar "inputs" format)',
      ...secured,
      requestBody: json({
        type: 'object',
        properties: {
          signature_name: { type: 'string' },
          instances: { type: 'array' },
          inputs: {},
        },
      }),
      responses: {
        200: {
          description: 'predictions',
          ...json({ type: 'object', properties: { predictions: { type: 'array' }, outputs: {} } }),
        },
        ...errors,
      },
    },
  };
  const infer = {
    post: {
      summary: 'KServe v2 inference with typed tensors',
      ...secured,
      requestBody: json({
        type: 'object',
        required: ['inputs'],
        properties: {
          id: { type: 'string' },
          inputs: { type: 'array', items: tensor },
          outputs: { type: 'array' },
        },
      }),
      responses: {
        200: {
          description: 'outputs',
          ...json({
            type: 'object',
            properties: {
              model_name: { type: 'string' },
              model_version: { type: 'string' },
              id: { type: 'string' },
              outputs: { type: 'array', items: tensor },
            },
          }),
        },
        ...errors,
      },
    },
  };
  const get = (summary: string) => ({
    get: {
      summary,
      responses: { 200: { description: summary, ...json({ type: 'object' }) }, 404: error },
    },
  });
  return {
    openapi: '3.1.0',
    info: { title: 'Keel model server', version: SERVER_VERSION },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
    },
    paths: {
      '/v1/models/{name}': { ...get('TF Serving model status'), parameters: [name] },
      '/v1/models/{name}/versions/{version}': {
        ...get('TF Serving version status'),
        parameters: [name, version],
      },
      '/v1/models/{name}/metadata': { ...get('TF Serving signature metadata'), parameters: [name] },
      '/v1/models/{name}:predict': { ...predict, parameters: [name] },
      '/v1/models/{name}/versions/{version}:predict': { ...predict, parameters: [name, version] },
      '/v1/models/{name}/labels/{label}:predict': {
        ...predict,
        parameters: [name, { ...version, name: 'label' }],
      },
      '/v2/health/live': get('liveness'),
      '/v2/health/ready': get('readiness'),
      '/v2/models/{name}': { ...get('KServe v2 model metadata'), parameters: [name] },
      '/v2/models/{name}/ready': { ...get('KServe v2 model readiness'), parameters: [name] },
      '/v2/models/{name}/infer': { ...infer, parameters: [name] },
      '/v2/models/{name}/versions/{version}/infer': { ...infer, parameters: [name, version] },
      '/v1/completions': {
        post: {
          summary: 'OpenAI-compatible completions (stream: true sends server-sent events)',
          ...secured,
          requestBody: json({
            type: 'object',
            required: ['model', 'prompt'],
            properties: {
              model: { type: 'string' },
              prompt: {},
              max_tokens: { type: 'integer' },
              temperature: { type: 'number' },
              top_p: { type: 'number' },
              top_k: { type: 'integer' },
              stop: {},
              stream: { type: 'boolean' },
              seed: { type: 'integer' },
            },
          }),
          responses: {
            200: {
              description: 'a completion, or text/event-stream chunks',
              ...json({ type: 'object' }),
            },
            ...errors,
          },
        },
      },
      '/healthz': get('health'),
      '/metrics': get('Prometheus metrics (text format)'),
      '/openapi.json': get('this document'),
    },
  };
}

export function openApiPlugin(app: FastifyInstance): void {
  const doc = openApiDocument();
  app.get('/openapi.json', { config: { protocol: 'plain' } }, async () => doc);
}
