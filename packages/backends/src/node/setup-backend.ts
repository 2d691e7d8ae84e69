// setupBackend: picks the fastest tfjs backend that works in this Node process.
// Order: tfjs-node-gpu → tfjs-node → WebGPU (Dawn, hardware adapters only unless asked
// for by name) → multi-threaded wasm → cpu. DIFFLI2D_BACKEND overrides the order.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, WasmThreadsError } from '../errors';
import { registerCpuSpeedKernels, registerWasmGradientKernels, registerWasmSpeedKernels } from '../kernels/register';
import { startNodeWebGPU } from './node-webgpu';
import { loadOptional } from './optional-module';
import { initWasmThreads } from './wasm-threads';

export const NODE_BACKENDS = ['tfjs-node-gpu', 'tfjs-node', 'webgpu', 'wasm', 'cpu'] as const;
export type NodeBackendName = (typeof NODE_BACKENDS)[number];

export interface SetupBackendOptions {
  /** Candidates to try, in order (default: NODE_BACKENDS). Naming 'webgpu' accepts a software adapter. */
  prefer?: string[];
  /** Where the one-line summary goes (default: stderr, so that --json stdout stays clean); false for silence. */
  log?: ((line: string) => void) | false;
  /** wasm threads (default: os.availableParallelism(), at most 8). DIFFLI2D_THREADS overrides it. */
  threads?: number;
  /** Environment to read DIFFLI2D_BACKEND from (default: process.env). */
  env?: Record<string, string | undefined>;
}

export interface SetupBackendResult {
  /** The candidate chosen, e.g. 'wasm'. */
  name: NodeBackendName;
  /** tf.getBackend() afterwards ('tensorflow' for tfjs-node and tfjs-node-gpu). */
  backend: string;
  /** Why each candidate tried before the chosen one was unavailable, in order. */
  reasons: Partial<Record<NodeBackendName, string>>;
  /** Extra facts about the choice (thread count, adapter name). */
  detail: string;
  /** wasm only: the threads XNNPACK uses. */
  threads?: number;
}

type Attempt = { ok: true; detail: string; threads?: number } | { ok: false; reason: string };

async function tryTfjsNode(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<Attempt> {
  const loaded = await loadOptional<unknown>(pkg);
  if (!loaded.ok) return { ok: false, reason: `${pkg} ${loaded.reason}` };
  if (!tf.findBackendFactory('tensorflow')) {
    return { ok: false, reason: `${pkg} loaded but registered no 'tensorflow' backend with this copy of @tensorflow/tfjs-core (version mismatch?)` };
  }
  if (!(await tf.setBackend('tensorflow'))) return { ok: false, reason: `tf.setBackend('tensorflow') failed after loading ${pkg}` };
  return { ok: true, detail: pkg };
}

async function tryWasm(threads: number | undefined): Promise<Attempt> {
  registerWasmGradientKernels();
  registerWasmSpeedKernels();
  try {
    const n = await initWasmThreads({ threads });
    return { ok: true, detail: `${n} thread${n === 1 ? '' : 's'}`, threads: n };
  } catch (err) {
    if (!(err instanceof WasmThreadsError)) throw err;
    // The threaded build failed: the single-threaded one may still work.
    if (!(await tf.setBackend('wasm'))) return { ok: false, reason: `${err.message}; plain wasm failed too` };
    return { ok: true, detail: `1 thread (${err.message})`, threads: 1 };
  }
}

async function attempt(name: NodeBackendName, explicit: boolean, options: SetupBackendOptions): Promise<Attempt> {
  switch (name) {
    case 'tfjs-node-gpu':
      return tryTfjsNode('@tensorflow/tfjs-node-gpu');
    case 'tfjs-node':
      return tryTfjsNode('@tensorflow/tfjs-node');
    case 'webgpu': {
      const r = await startNodeWebGPU({ allowSoftware: explicit });
      return r.ok ? { ok: true, detail: `${r.adapter}${r.software ? ', software' : ''}` } : r;
    }
    case 'wasm':
      return tryWasm(options.threads);
    case 'cpu':
      registerCpuSpeedKernels();
      return (await tf.setBackend('cpu')) ? { ok: true, detail: 'pure JavaScript' } : { ok: false, reason: 'setBackend("cpu") failed' };
  }
}

function parseThreads(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new BackendUnavailableError(`DIFFLI2D_THREADS: expected a positive whole number of wasm threads, got '${value}'`);
  }
  return n;
}

function parseList(source: string, names: readonly string[]): NodeBackendName[] {
  const unknown = names.filter((n) => !(NODE_BACKENDS as readonly string[]).includes(n));
  if (unknown.length || names.length === 0) {
    throw new BackendUnavailableError(
      `${source}: unknown backend ${unknown.map((n) => `'${n}'`).join(', ') || '(empty list)'}; expected some of ${NODE_BACKENDS.join(', ')}`,
    );
  }
  return names as NodeBackendName[];
}

/**
 * Chooses and initialises the best tfjs backend available in this Node process, makes it
 * the active one, and (for wasm) registers the gradient kernels wasm lacks. Prints one line
 * saying what was chosen and why each better choice was unavailable.
 */
export async function setupBackend(options: SetupBackendOptions = {}): Promise<SetupBackendResult> {
  const env = options.env ?? process.env;
  const fromEnv = env.DIFFLI2D_BACKEND?.trim();
  const order = fromEnv
    ? parseList(
        'DIFFLI2D_BACKEND',
        fromEnv
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
    : options.prefer
      ? parseList('setupBackend({ prefer })', options.prefer)
      : [...NODE_BACKENDS];
  const explicit = Boolean(fromEnv || options.prefer);
  // On a machine shared with other busy processes, one wasm thread per process can beat two.
  const threads = parseThreads(env.DIFFLI2D_THREADS) ?? options.threads;
  const reasons: Partial<Record<NodeBackendName, string>> = {};
  const log = options.log === false ? () => {} : (options.log ?? ((line: string) => console.error(line)));
  for (const name of order) {
    const result = await attempt(name, explicit && name === 'webgpu', { ...options, threads });
    if (result.ok) {
      const skipped = Object.entries(reasons).map(([n, why]) => `${n}: ${why}`);
      log(`[diffli2d] backend: ${name} (${result.detail})${skipped.length ? ` — ${skipped.join('; ')}` : ''}`);
      return { name, backend: tf.getBackend(), reasons, detail: result.detail, threads: result.threads };
    }
    reasons[name] = result.reason;
  }
  throw new BackendUnavailableError(`no backend could be initialised: ${order.map((n) => `${n}: ${reasons[n]}`).join('; ')}`);
}
