/**
 * Which versions of a model are served (TF Serving's model_version_policy): the newest N
 * ('latest', N = 1 by default), every version ('all'), or a pinned list ('specific').
 * Written on the command line as `latest`, `latest:2`, `all` or `specific:1,3`, and in a model's
 * serving.json as `"latest"`, `{"latest": 2}`, `"all"` or `{"specific": [1, 3]}`.
 */
import { isJsonObject } from '../../utils/json-guard.js';

export type VersionPolicy =
  | { kind: 'latest'; count: number }
  | { kind: 'all' }
  | { kind: 'specific'; versions: number[] };

/** The versions to serve out of those on disk. */
export function selectVersions(policy: VersionPolicy, available: readonly number[]): number[] {
  const sorted = [...available].sort((a, b) => b - a);
  if (policy.kind === 'all') return sorted;
  if (policy.kind === 'latest') return sorted.slice(0, policy.count);
  return sorted.filter((v) => policy.versions.includes(v));
}

const versionNumber = (s: string, what: string): number => {
  if (!/^\d{1,15}$/.test(s)) throw new RangeError(`${what}: '${s}' is not a version number`);
  return Number(s);
};

/** Parses the command-line form. */
export function parseVersionPolicy(text: string): VersionPolicy {
  const what = '--version-policy';
  const [kind, arg] = text.split(':', 2) as [string, string | undefined];
  if (kind === 'all' && arg === undefined) return { kind: 'all' };
  if (kind === 'latest') {
    const count = arg === undefined ? 1 : versionNumber(arg, what);
    if (count < 1) throw new RangeError(`${what}: latest:N needs N >= 1, got ${arg}`);
    return { kind: 'latest', count };
  }
  if (kind === 'specific' && arg) {
    return { kind: 'specific', versions: arg.split(',').map((s) => versionNumber(s, what)) };
  }
  throw new RangeError(
    `${what}: expected latest, latest:N, all or specific:V1,V2, got '${text.slice(0, 100)}'`,
  );
}

/** Parses the serving.json form; `source` names the file in errors. */
export function versionPolicyFromJson(value: unknown, source: string): VersionPolicy {
  if (value === 'all') return { kind: 'all' };
  if (value === 'latest') return { kind: 'latest', count: 1 };
  if (isJsonObject(value)) {
    const latest = value['latest'];
    if (Number.isSafeInteger(latest) && (latest as number) >= 1)
      return { kind: 'latest', count: latest as number };
    const specific = value['specific'];
    if (
      Array.isArray(specific) &&
      specific.every((v) => Number.isSafeInteger(v) && (v as number) >= 0)
    )
      return { kind: 'specific', versions: specific as number[] };
  }
  throw new Error(
    `${source}: versionPolicy must be "latest", "all", {"latest": N} or {"specific": [versions]}`,
  );
}
