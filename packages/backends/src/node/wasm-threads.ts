// Multi-threaded tfjs-backend-wasm in Node, without touching node_modules.
//
// The stock package turns threads off under Node. Four things stand in the way, each
// handled here only for the duration of the backend's init:
//  1. WASM_HAS_MULTITHREAD_SUPPORT is forced false in Node      → set it true.
//  2. Emscripten starts each pthread worker from a blob: URL,     → a worker_threads.Worker
//     which Node's Worker rejects (ERR_WORKER_PATH)                 subclass starts it from the
//                                                                   worker source the package
//                                                                   exports (eval: true) and points
//                                                                   its 'load' message at
//                                                                   wasm-out/…-threaded-simd.js.
//  3. The C++ side uses min(n, 8, cpus/2) threads                 → os.cpus() reports 2n during init.
//  4. Running thread workers keep the process alive               → they are unref()ed and never ref()ed.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { WasmThreadsError } from '../errors';

const requireHere = createRequire(__filename);
// The CommonJS module objects (mutable, and the very ones the wasm bundle require()s).
const osModule = requireHere('node:os') as typeof import('node:os');
const workerThreads = requireHere('node:worker_threads') as typeof import('node:worker_threads');

const WASM_PRIORITY = 2;

export interface WasmThreadsOptions {
  /** Threads for XNNPACK's pool (default: os.availableParallelism(), at most 8). */
  threads?: number;
}

function wasmFile(relative: string): string {
  const packageJson = requireHere.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return path.join(path.dirname(packageJson), relative);
}

/** Worker subclass that Emscripten constructs (via globalThis.Worker) while the backend initialises. */
function pthreadWorkerClass(): typeof workerThreads.Worker {
  const { wasmWorkerContents } = requireHere(wasmFile('wasm-out/tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  // The exported source holds "\n" escapes that a template literal turned into real newlines
  // inside string literals; tfjs re-escapes them the same way before making its blob.
  const source = wasmWorkerContents.replace(/\n/g, '\\n');
  const mainScript = wasmFile('wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const Base = workerThreads.Worker;
  return class PthreadWorker extends Base {
    constructor(_blobUrl: string | URL, options?: import('node:worker_threads').WorkerOptions) {
      super(source, { ...options, eval: true });
      this.unref();
    }
    override ref(): void {
      // Emscripten ref()s a worker while its pthread runs; XNNPACK's threads run forever,
      // so honouring it would keep the process from exiting.
    }
    override postMessage(message: unknown, transferList?: readonly import('node:worker_threads').TransferListItem[]): void {
      const msg = message as { cmd?: string } | null;
      // 'load' carries a Blob of the main script, which a Node worker cannot import: give it the file.
      const patched = msg && msg.cmd === 'load' ? { ...msg, urlOrBlob: mainScript } : message;
      super.postMessage(patched, transferList);
    }
  };
}

function engineHasWasmInstance(): boolean {
  const registry = (tf.engine() as unknown as { registry: Record<string, unknown> }).registry;
  return registry.wasm != null;
}

/** Runs `init` with the Node patches above in place, and always removes them afterwards. */
async function withThreadPatches<T>(threads: number, init: () => Promise<T>): Promise<T> {
  const originalWorker = workerThreads.Worker;
  const originalCpus = osModule.cpus;
  const hadGlobalWorker = Object.hasOwn(globalThis, 'Worker');
  const previousGlobalWorker = (globalThis as { Worker?: unknown }).Worker;
  const previousFlag = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  workerThreads.Worker = pthreadWorkerClass();
  osModule.cpus = () => {
    const cpus = originalCpus.call(osModule);
    while (cpus.length < 2 * threads) cpus.push(cpus[0]);
    return cpus;
  };
  try {
    return await init();
  } finally {
    workerThreads.Worker = originalWorker;
    osModule.cpus = originalCpus;
    // Emscripten copies worker_threads.Worker onto the global object during init.
    if (hadGlobalWorker) (globalThis as { Worker?: unknown }).Worker = previousGlobalWorker;
    else delete (globalThis as { Worker?: unknown }).Worker;
    // A later plain re-init (e.g. after removeBackend) must not try threads without the patches.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', previousFlag);
  }
}

let pending: Promise<number> | null = null;

/**
 * Starts tfjs-backend-wasm with its multi-threaded SIMD build in Node and makes it the
 * active backend; returns the thread count XNNPACK actually uses (getThreadsCount()).
 * If wasm was already started, it is restarted threaded. The thread workers do not keep
 * the process alive. Throws WasmThreadsError if the threaded build cannot start; the
 * plain wasm backend stays registered in that case.
 */
export function initWasmThreads(options: WasmThreadsOptions = {}): Promise<number> {
  pending = (pending ?? Promise.resolve(0)).catch(() => 0).then(() => startThreaded(options));
  return pending;
}

async function startThreaded(options: WasmThreadsOptions): Promise<number> {
  const threads = Math.max(1, Math.min(8, Math.floor(options.threads ?? osModule.availableParallelism())));
  if (!Number.isFinite(threads)) throw new WasmThreadsError(`initWasmThreads: threads must be a number, got ${options.threads}`);
  const factory = tf.findBackendFactory('wasm');
  if (!factory) {
    throw new WasmThreadsError('initWasmThreads: the wasm backend is not registered (is @tensorflow/tfjs-backend-wasm installed?)');
  }
  if (engineHasWasmInstance() && wasm.getThreadsCount() === threads) {
    if (!(await tf.setBackend('wasm'))) throw new WasmThreadsError('initWasmThreads: setBackend("wasm") returned false');
    return threads;
  }
  if (engineHasWasmInstance()) {
    // An earlier (single-threaded) instance: start over with the same factory.
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', factory, WASM_PRIORITY);
  }
  wasm.setThreadsCount(threads);
  let ok = false;
  let cause: unknown;
  try {
    ok = await withThreadPatches(threads, () => tf.setBackend('wasm'));
  } catch (err) {
    cause = err;
  }
  if (!ok) {
    // Leave a clean, re-initialisable plain wasm backend behind.
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', factory, WASM_PRIORITY);
    const why = cause instanceof Error ? cause.message : cause != null ? JSON.stringify(cause) : 'setBackend returned false';
    throw new WasmThreadsError(`initWasmThreads: the threaded wasm build did not start (${why})`);
  }
  return wasm.getThreadsCount();
}
