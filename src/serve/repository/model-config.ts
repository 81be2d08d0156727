/**
 * A model's optional `DIR/<name>/serving.json`: its version policy, labels (a name for a version,
 * e.g. {"stable": 1, "canary": 2}) and batching parameters. Re-read at every poll, so a label can
 * move without a restart.
 */
import { existsSync } from 'node:fs';
import { isJsonObject, parseJsonGuarded } from '../../utils/json-guard.js';
import { readTextFileSafe } from '../../utils/safe-file.js';
import { type VersionPolicy, versionPolicyFromJson } from './version-policy.js';

export interface BatchingConfig {
  /** Most rows in one batch (TF Serving's max_batch_size). */
  maxBatchSize: number;
  /** How long a partial batch may wait for more rows while another batch runs, µs
   *  (batch_timeout_micros); with nothing running a batch leaves at once. */
  maxQueueDelayMicros: number;
  /** Most rows waiting per model version before requests are shed with 503. */
  maxQueueSize: number;
}

export interface ModelConfig {
  versionPolicy?: VersionPolicy;
  labels: Record<string, number>;
  batching: Partial<BatchingConfig>;
}

const BATCHING_KEYS = ['maxBatchSize', 'maxQueueDelayMicros', 'maxQueueSize'] as const;

export function readModelConfig(modelDir: string): ModelConfig {
  const path = `${modelDir}/serving.json`;
  const config: ModelConfig = { labels: {}, batching: {} };
  if (!existsSync(path)) return config;
  // Checked on the opened descriptor: a FIFO or a link to /dev/zero would hang or never end.
  const text = readTextFileSafe(path, { what: 'serving.json', maxBytes: 1 << 20 });
  const json = parseJsonGuarded(text, path, { maxDepth: 8 });
  if (!isJsonObject(json)) throw new Error(`${path}: expected a JSON object`);
  for (const key of Object.keys(json)) {
    if (!['versionPolicy', 'labels', 'batching'].includes(key))
      throw new Error(`${path}: unknown field '${key}' (versionPolicy, labels, batching)`);
  }
  if (json['versionPolicy'] !== undefined)
    config.versionPolicy = versionPolicyFromJson(json['versionPolicy'], path);
  const labels = json['labels'] ?? {};
  if (!isJsonObject(labels)) throw new Error(`${path}: labels must be {"label": version}`);
  for (const [label, v] of Object.entries(labels)) {
    if (!/^[\w.-]{1,64}$/.test(label) || !Number.isSafeInteger(v) || (v as number) < 0)
      throw new Error(`${path}: label '${label.slice(0, 64)}' must map to a version number`);
    config.labels[label] = v as number;
  }
  const batching = json['batching'] ?? {};
  if (!isJsonObject(batching)) throw new Error(`${path}: batching must be an object`);
  for (const [key, v] of Object.entries(batching)) {
    if (!(BATCHING_KEYS as readonly string[]).includes(key) || !Number.isSafeInteger(v))
      throw new Error(`${path}: batching.${key} is not one of ${BATCHING_KEYS.join(', ')}`);
    if ((v as number) < (key === 'maxQueueDelayMicros' ? 0 : 1))
      throw new Error(`${path}: batching.${key} out of range: ${v}`);
    config.batching[key as (typeof BATCHING_KEYS)[number]] = v as number;
  }
  return config;
}
