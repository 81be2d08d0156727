/**
 * The models of `--model-dir` (`DIR/<name>/<version>/`), polled for changes (TF Serving's
 * file-system source): a new version is snapshotted, loaded and validated, then swapped in; a
 * version that leaves the policy, or whose files changed, is drained (it stops taking requests
 * and is unloaded once its in-flight ones finish). A version that fails to load is reported in
 * the model's status and the previous one keeps serving.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type ModelConfig, readModelConfig } from './model-config.js';
import { findModelFile, loadModelFile, type ModelFile } from './model-files.js';
import { type ModelSignature, signatureOf } from './signature.js';
import { fingerprint, snapshotFolder } from './snapshot.js';
import { Tokenizer } from './tokenizer.js';
import { selectVersions, type VersionPolicy } from './version-policy.js';

export type VersionState = 'AVAILABLE' | 'UNLOADING' | 'END';

export class ModelVersion {
  state: VersionState = 'AVAILABLE';
  inFlight = 0;
  constructor(
    readonly name: string,
    readonly version: number,
    /** The snapshot the workers load. */
    readonly file: ModelFile,
    readonly signature: ModelSignature,
    readonly tokenizer: Tokenizer | undefined,
    readonly fingerprint: string,
    readonly snapshotDir: string,
  ) {}

  /** The worker cache key: one per loaded snapshot. */
  get key(): string {
    return this.file.file;
  }
}

export interface RepositoryOptions {
  /** Default policy for models without one in serving.json (default latest). */
  versionPolicy?: VersionPolicy;
  /** Where snapshots go (a fresh folder of its own). */
  snapshotDir: string;
  /** Called for load errors and version changes. */
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: object) => void;
}

export class ModelLookupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelLookupError';
  }
}

const NAME = /^[\w.-]{1,128}$/;

export class ModelRepository {
  private readonly served = new Map<string, Map<number, ModelVersion>>();
  private readonly configs = new Map<string, ModelConfig>();
  /** Load errors by 'name/version' (or 'name' for a bad serving.json). */
  readonly errors = new Map<string, string>();
  private readonly draining = new Set<ModelVersion>();
  private readonly listeners: ((v: ModelVersion) => void)[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly dir: string,
    private readonly options: RepositoryOptions,
  ) {
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new Error(`--model-dir: no such folder: ${dir}`);
    mkdirSync(options.snapshotDir, { recursive: true });
  }

  /** Calls `fn` with every version that is unloaded for good (after its drain). */
  onUnload(fn: (v: ModelVersion) => void): void {
    this.listeners.push(fn);
  }

  /** Scans now, then every `pollMs` (0: never again). */
  start(pollMs: number): void {
    this.scan();
    if (pollMs > 0) {
      this.timer = setInterval(() => this.scan(), pollMs);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One pass over the model directory. */
  scan(): void {
    const names = readdirSync(this.dir).filter(
      (n) => NAME.test(n) && statSync(join(this.dir, n)).isDirectory(),
    );
    for (const name of names) this.scanModel(name);
    for (const name of this.served.keys()) {
      if (!names.includes(name)) {
        for (const v of this.served.get(name)!.values()) this.retire(v);
        this.served.delete(name);
        this.configs.delete(name);
      }
    }
  }

  private scanModel(name: string): void {
    const modelDir = join(this.dir, name);
    let config: ModelConfig;
    try {
      config = readModelConfig(modelDir);
      this.errors.delete(name);
    } catch (e) {
      this.fail(name, e);
      config = this.configs.get(name) ?? { labels: {}, batching: {} };
    }
    this.configs.set(name, config);
    const onDisk = readdirSync(modelDir)
      .filter((v) => /^\d{1,15}$/.test(v) && statSync(join(modelDir, v)).isDirectory())
      .map(Number);
    const policy = config.versionPolicy ??
      this.options.versionPolicy ?? { kind: 'latest', count: 1 };
    const wanted = selectVersions(policy, onDisk);
    let versions = this.served.get(name);
    if (!versions) this.served.set(name, (versions = new Map()));
    for (const v of wanted) {
      const dir = join(modelDir, String(v));
      const current = versions.get(v);
      let print: string;
      try {
        print = fingerprint(dir);
      } catch {
        continue; // removed while scanning
      }
      if (current && current.fingerprint === print) continue;
      const loaded = this.load(name, v, dir, print);
      if (!loaded) continue;
      versions.set(v, loaded);
      if (current) this.retire(current);
      this.log('info', `serving ${name} version ${v}`, { model: name, version: v });
    }
    for (const [v, current] of versions) {
      if (!wanted.includes(v)) {
        versions.delete(v);
        this.retire(current);
      }
    }
  }

  private load(name: string, version: number, dir: string, print: string): ModelVersion | null {
    const id = `${name}/${version}`;
    try {
      const snapshot = snapshotFolder(dir, this.options.snapshotDir, `${name}-${version}`);
      if (!snapshot) return null; // a file is still being written: next poll
      const found = findModelFile(snapshot);
      const model = loadModelFile(found);
      const signature = signatureOf(model, `${name} version ${version}`);
      const tokenizerPath = join(snapshot, 'tokenizer.json');
      const tokenizer = existsSync(tokenizerPath) ? Tokenizer.read(tokenizerPath) : undefined;
      this.errors.delete(id);
      return new ModelVersion(name, version, found, signature, tokenizer, print, snapshot);
    } catch (e) {
      this.fail(id, e);
      return null;
    }
  }

  private fail(id: string, e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    if (this.errors.get(id) !== message) this.log('error', `cannot load ${id}: ${message}`);
    this.errors.set(id, message);
  }

  /** Stops routing to `v`; it ends once its in-flight requests are done. */
  private retire(v: ModelVersion): void {
    if (v.state !== 'AVAILABLE') return;
    v.state = 'UNLOADING';
    this.draining.add(v);
    this.log('info', `draining ${v.name} version ${v.version}`, { inFlight: v.inFlight });
    if (v.inFlight === 0) this.finish(v);
  }

  private finish(v: ModelVersion): void {
    v.state = 'END';
    this.draining.delete(v);
    const stillUsed = [...this.served.values()].some((m) =>
      [...m.values()].some((o) => o.snapshotDir === v.snapshotDir),
    );
    if (!stillUsed) rmSync(v.snapshotDir, { recursive: true, force: true });
    for (const fn of this.listeners) fn(v);
  }

  /**
   * The version a request asks for: a number, a label, or (neither) the newest served one.
   * Counts it in flight until `release`.
   */
  acquire(name: string, version?: string, label?: string): ModelVersion {
    const v = this.lookup(name, version, label);
    v.inFlight++;
    return v;
  }

  release(v: ModelVersion): void {
    v.inFlight--;
    if (v.inFlight === 0 && v.state === 'UNLOADING') this.finish(v);
  }

  /** The version without counting it in flight (metadata, status); ModelLookupError when none. */
  lookup(name: string, version?: string, label?: string): ModelVersion {
    const versions = this.served.get(name);
    if (!versions || versions.size === 0) {
      const why = this.errors.get(name) ?? this.firstError(name);
      throw new ModelLookupError(
        `Servable not found for request: Latest(${name})${why ? `: ${why}` : ''}`,
      );
    }
    if (label !== undefined) {
      const target = this.configs.get(name)?.labels[label];
      const v = target === undefined ? undefined : versions.get(target);
      if (!v)
        throw new ModelLookupError(
          `Unrecognized servable version label: ${label.slice(0, 64)} (model ${name})`,
        );
      return v;
    }
    if (version !== undefined) {
      const v = /^\d{1,15}$/.test(version) ? versions.get(Number(version)) : undefined;
      if (!v)
        throw new ModelLookupError(
          `Servable not found for request: Specific(${name}, ${version.slice(0, 20)})`,
        );
      return v;
    }
    return [...versions.values()].sort((a, b) => b.version - a.version)[0]!;
  }

  private firstError(name: string): string | undefined {
    for (const [id, message] of this.errors) if (id.startsWith(`${name}/`)) return message;
    return undefined;
  }

  /** Served model names. */
  modelNames(): string[] {
    return [...this.served.keys()].filter((n) => this.served.get(n)!.size > 0).sort();
  }

  /** Every served version of a model, newest first, with the versions still draining. */
  versionsOf(name: string): ModelVersion[] {
    const served = [...(this.served.get(name)?.values() ?? [])];
    const draining = [...this.draining].filter((v) => v.name === name);
    return [...served, ...draining].sort((a, b) => b.version - a.version);
  }

  configOf(name: string): ModelConfig {
    return this.configs.get(name) ?? { labels: {}, batching: {} };
  }

  /** True once every model on disk has at least one version serving. */
  get ready(): boolean {
    return this.modelNames().length > 0;
  }

  private log(level: 'info' | 'warn' | 'error', message: string, fields?: object): void {
    this.options.log?.(level, message, fields);
  }
}
