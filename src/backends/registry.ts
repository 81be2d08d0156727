import type { Tensor } from '../tensor/tensor.js';
import type { Kernel, KernelAttrs, KernelInputs, KernelName, KernelOutputs } from './kernels.js';

export interface BackendInfo {
  /** The backend kernels are taken from first. */
  backend: string;
  /** The instruction set the backend computes with ('js' for the TypeScript backend). */
  isa: string;
  /** Threads the backend may use. */
  threads: number;
}

export interface Backend {
  readonly name: string;
  info(): BackendInfo;
}

const backends = new Map<string, Backend>();
/** Kernels stored untyped: `registerKernel` and `getKernel` are what tie a name to its signature. */
export type AnyKernel = (
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  attrs: unknown,
) => void;
const kernels = new Map<string, Map<KernelName, AnyKernel>>();
let active = 'ts';

/** The reference backend every other backend falls back to, kernel by kernel. */
export const REFERENCE_BACKEND = 'ts';

export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
  if (!kernels.has(backend.name)) kernels.set(backend.name, new Map());
}

/** Registers `kernel` as backend `backend`'s implementation of the kernel called `name`. */
export function registerKernel<K extends KernelName>(
  name: K,
  backend: string,
  kernel: Kernel<K>,
): void {
  let table = kernels.get(backend);
  if (!table) kernels.set(backend, (table = new Map()));
  table.set(name, kernel as AnyKernel);
}

/** The kernel that runs `name`: the active backend's, else the reference backend's. */
export function getKernel<K extends KernelName>(name: K, backend = active): Kernel<K> {
  const k = kernels.get(backend)?.get(name) ?? kernels.get(REFERENCE_BACKEND)?.get(name);
  if (!k) throw new Error(`No kernel registered for '${name}' (backend '${backend}')`);
  return k as Kernel<K>;
}

/** Kernel names a backend implements itself (its gaps fall back to the reference backend). */
export function listKernels(backend: string): KernelName[] {
  return [...(kernels.get(backend)?.keys() ?? [])];
}

/** Sees each kernel call an op makes (with the kernel that ran), for tracing a computation. */
export type KernelTracer = (
  kernel: AnyKernel,
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  attrs: unknown,
  name: KernelName,
) => void;

let tracer: KernelTracer | null = null;
let depth = 0;

/** Runs the kernel `name` on the active backend. */
export function runKernel<K extends KernelName>(
  name: K,
  inputs: KernelInputs<K>,
  outputs: KernelOutputs<K>,
  attrs: KernelAttrs<K>,
): void {
  const kernel = getKernel(name) as AnyKernel;
  if (tracer === null) {
    kernel(inputs, outputs, attrs);
    return;
  }
  // Only the outermost calls are traced: a kernel built from other kernels replays as one step.
  depth++;
  try {
    kernel(inputs, outputs, attrs);
  } finally {
    depth--;
  }
  if (depth === 0) tracer(kernel, inputs, outputs, attrs, name);
}

/** Runs fn with every top-level kernel call reported to onKernel after it ran. */
export function traceKernels<T>(onKernel: KernelTracer, fn: () => T): T {
  if (tracer !== null) throw new Error('traceKernels: a trace is already running');
  tracer = onKernel;
  try {
    return fn();
  } finally {
    tracer = null;
  }
}

/**
 * Makes the backend called `name` the active one for every following op (an error naming the
 * available ones if unknown).
 */
export function setBackend(name: string): void {
  if (!backends.has(name)) {
    throw new Error(
      `setBackend: unknown backend '${name}'; available: ${[...backends.keys()].join(', ')}`,
    );
  }
  active = name;
}

/** The name of the active backend ('native' or 'ts'). */
export function getBackend(): string {
  return active;
}

/** The names of the registered backends. */
export function listBackends(): string[] {
  return [...backends.keys()];
}

/** Which backend runs, on which instruction set, with how many threads. */
export function backendInfo(): BackendInfo {
  return backends.get(active)!.info();
}
