// setupBrowserBackend: webgpu → webgl → wasm → cpu, each loaded only when tried.
// No Node imports here: this is the browser entry's implementation.
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError } from './errors';
import { registerCpuSpeedKernels, registerWasmGradientKernels, registerWasmSpeedKernels } from './kernels/register';
import { installWebGpuAddNFix } from './kernels/webgpu-addn';

export const BROWSER_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BrowserBackendName = (typeof BROWSER_BACKENDS)[number];

export interface SetupBrowserBackendOptions {
  /** Candidates to try, in order (default: BROWSER_BACKENDS). */
  prefer?: string[];
  /** Where the one-line summary goes (default: console.info); false for silence. */
  log?: ((line: string) => void) | false;
  /**
   * Where the app serves tfjs-backend-wasm's .wasm files: a folder URL ending in '/' or a
   * map from each file name to its URL (see tfjs-backend-wasm's setWasmPaths). Without it,
   * tfjs looks next to its own script, which bundlers usually break.
   */
  wasmPaths?: string | Record<string, string>;
}

export interface SetupBrowserBackendResult {
  name: BrowserBackendName;
  /** Why each candidate tried before the chosen one was unavailable, in order. */
  reasons: Partial<Record<BrowserBackendName, string>>;
  detail: string;
}

type Attempt = { ok: true; detail: string } | { ok: false; reason: string };

interface BrowserGpu {
  requestAdapter(): Promise<{ info?: { vendor?: string; description?: string } } | null>;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

async function select(name: string): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

async function tryWebGPU(): Promise<Attempt> {
  const gpu = (globalThis as { navigator?: { gpu?: BrowserGpu } }).navigator?.gpu;
  if (!gpu) return { ok: false, reason: 'navigator.gpu is missing (no WebGPU in this browser, or not a secure context)' };
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return { ok: false, reason: 'no WebGPU adapter' };
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await select('webgpu'))) return { ok: false, reason: "tf.setBackend('webgpu') failed" };
  installWebGpuAddNFix();
  const info = adapter.info;
  return { ok: true, detail: [info?.vendor, info?.description].filter(Boolean).join(' ') || 'WebGPU adapter' };
}

async function tryWebGL(): Promise<Attempt> {
  await import('@tensorflow/tfjs-backend-webgl');
  if (!(await select('webgl'))) return { ok: false, reason: "tf.setBackend('webgl') failed (no WebGL context)" };
  return { ok: true, detail: `WebGL ${tf.env().getNumber('WEBGL_VERSION')}` };
}

async function tryWasm(wasmPaths: SetupBrowserBackendOptions['wasmPaths']): Promise<Attempt> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (wasmPaths != null) {
    try {
      wasm.setWasmPaths(wasmPaths);
    } catch (err) {
      return { ok: false, reason: `setWasmPaths failed (${message(err)})` };
    }
  }
  registerWasmGradientKernels();
  registerWasmSpeedKernels();
  if (!(await select('wasm'))) return { ok: false, reason: "tf.setBackend('wasm') failed (are the .wasm files served? see wasmPaths)" };
  const threads = wasm.getThreadsCount();
  return { ok: true, detail: `${threads} thread${threads === 1 ? '' : 's'}` };
}

async function tryCpu(): Promise<Attempt> {
  await import('@tensorflow/tfjs-backend-cpu');
  registerCpuSpeedKernels();
  return (await select('cpu')) ? { ok: true, detail: 'pure JavaScript' } : { ok: false, reason: "tf.setBackend('cpu') failed" };
}

/**
 * Chooses and initialises the best tfjs backend this browser offers and makes it the
 * active one; registers the wasm gradient kernels when wasm is chosen.
 */
export async function setupBrowserBackend(options: SetupBrowserBackendOptions = {}): Promise<SetupBrowserBackendResult> {
  const order = (options.prefer ?? [...BROWSER_BACKENDS]) as BrowserBackendName[];
  const unknown = order.filter((n) => !(BROWSER_BACKENDS as readonly string[]).includes(n));
  if (unknown.length || order.length === 0) {
    throw new BackendUnavailableError(
      `setupBrowserBackend({ prefer }): unknown backend ${unknown.map((n) => `'${n}'`).join(', ') || '(empty list)'}; ` +
        `expected some of ${BROWSER_BACKENDS.join(', ')}`,
    );
  }
  const log = options.log === false ? () => {} : (options.log ?? ((line: string) => console.info(line)));
  const reasons: Partial<Record<BrowserBackendName, string>> = {};
  for (const name of order) {
    let result: Attempt;
    try {
      result =
        name === 'webgpu' ? await tryWebGPU() : name === 'webgl' ? await tryWebGL() : name === 'wasm' ? await tryWasm(options.wasmPaths) : await tryCpu();
    } catch (err) {
      result = { ok: false, reason: message(err) };
    }
    if (result.ok) {
      const skipped = Object.entries(reasons).map(([n, why]) => `${n}: ${why}`);
      log(`[diffli2d] backend: ${name} (${result.detail})${skipped.length ? ` — ${skipped.join('; ')}` : ''}`);
      return { name, reasons, detail: result.detail };
    }
    reasons[name] = result.reason;
  }
  throw new BackendUnavailableError(`no backend could be initialised: ${order.map((n) => `${n}: ${reasons[n]}`).join('; ')}`);
}
