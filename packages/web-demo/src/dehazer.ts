// The embeddable ES module API: createWebDehazer({ modelUrl }) → dehaze(image) in a worker.
// Falls back to running in the page when a worker cannot start (e.g. this module was
// loaded cross-origin, where module workers are refused).
import { DehazerError, ImageReadError } from './errors';
import { decodeImageFile, type RgbaImage } from './image-io';
import type { Reply, Request, RequestBody } from './engine/protocol';
import type { BackendName, DehazeOptions, DehazeOutput, EngineOptions, EngineReady, ModelInfo, Progress } from './engine/types';

export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
export const PRIOR_FILE = 'prior.safetensors';
export const NETWORK_FILE = 'diffli2d.safetensors';
// Built chunks live in assets/, the shipped model in models/ beside it. A variable (not a
// literal) so the bundler does not try to resolve the folder as an asset.
const DEFAULT_MODEL_DIR = '../models/';

export interface WebDehazerOptions {
  /** Folder URL holding prior.safetensors and diffli2d.safetensors (default: the app's models/). */
  modelUrl?: string | URL;
  /** Override single files (absolute or relative to the page). */
  priorUrl?: string | URL;
  networkUrl?: string | URL;
  /** Backends to try, best first (default webgpu → webgl → wasm → cpu). */
  backends?: readonly BackendName[];
  /** Keep weights in Cache Storage (default true). */
  cache?: boolean;
  /** Run TensorFlow.js in a worker (default true; falls back to the page if it cannot start). */
  worker?: boolean;
}

export interface WebDehazeOptions extends DehazeOptions {
  onProgress?: (p: Progress) => void;
}

export interface DehazeResult extends DehazeOutput {
  backend: BackendName;
}

export interface WebDehazer {
  readonly backend: BackendName;
  /** The backend's own description (e.g. the GPU adapter). */
  readonly backendDetail: string;
  readonly refusedBackends: EngineReady['refused'];
  /** Where TensorFlow.js runs. */
  readonly runsIn: 'worker' | 'page';
  readonly priorUrl: string;
  readonly networkUrl: string;
  /** Downloads (or reads from cache) and builds the model; dehaze() calls it on first use. */
  loadModel(onProgress?: (p: Progress) => void): Promise<ModelInfo>;
  /** A File/Blob (any format the browser decodes), ImageData or RGBA pixels → the dehazed image. */
  dehaze(input: Blob | ImageData | RgbaImage, opts?: WebDehazeOptions): Promise<DehazeResult>;
  dispose(): void;
}

/** The engine behind a WebDehazer: a worker, or the same code in the page. */
interface Transport {
  call<T>(req: RequestBody, onProgress?: (p: Progress) => void, transfer?: Transferable[]): Promise<T>;
  close(): void;
}

function resolveUrl(u: string | URL, base: string | URL): string {
  return new URL(u, base).href;
}

function pageBase(): string {
  return typeof document !== 'undefined' ? document.baseURI : self.location.href;
}

export function resolveModelUrls(
  opts: Pick<WebDehazerOptions, 'modelUrl' | 'priorUrl' | 'networkUrl'>,
  moduleUrl = import.meta.url,
): { priorUrl: string; networkUrl: string } {
  const dir = opts.modelUrl !== undefined ? resolveUrl(opts.modelUrl, pageBase()) : resolveUrl(DEFAULT_MODEL_DIR, moduleUrl);
  const folder = dir.endsWith('/') ? dir : `${dir}/`;
  return {
    priorUrl: opts.priorUrl !== undefined ? resolveUrl(opts.priorUrl, pageBase()) : resolveUrl(PRIOR_FILE, folder),
    networkUrl: opts.networkUrl !== undefined ? resolveUrl(opts.networkUrl, pageBase()) : resolveUrl(NETWORK_FILE, folder),
  };
}

function workerTransport(): Transport {
  const worker = new Worker(new URL('./engine/worker.ts', import.meta.url), { type: 'module', name: 'diffli2d' });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; onProgress?: (p: Progress) => void }>();
  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.addEventListener('message', (event: MessageEvent<Reply>) => {
    const reply = event.data;
    const p = pending.get(reply.id);
    if (!p) return;
    if (reply.type === 'progress') p.onProgress?.(reply.progress);
    else {
      pending.delete(reply.id);
      if (reply.type === 'ok') p.resolve(reply.value);
      else p.reject(reviveError(reply.name, reply.message));
    }
  });
  worker.addEventListener('error', (event) => failAll(new DehazerError(`the dehazing worker failed: ${event.message || 'it could not start'}`)));
  return {
    call<T>(req: RequestBody, onProgress?: (p: Progress) => void, transfer: Transferable[] = []) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
        worker.postMessage({ ...req, id } as Request, transfer);
      });
    },
    close() {
      failAll(new DehazerError('the dehazer was disposed'));
      worker.terminate();
    },
  };
}

async function pageTransport(): Promise<Transport> {
  const { Engine } = await import('./engine/engine');
  let engine: import('./engine/engine').Engine | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  return {
    call<T>(req: RequestBody, onProgress?: (p: Progress) => void) {
      const run = async (): Promise<unknown> => {
        if (req.type === 'start') return (engine = await Engine.start(req.options)).ready;
        if (!engine) throw new DehazerError('engine not started');
        if (req.type === 'load') return engine.loadModel(onProgress ?? (() => {}));
        return engine.dehaze(req.image, req.options, onProgress ?? (() => {}));
      };
      const result = queue.then(run, run);
      queue = result.catch(() => {});
      return result as Promise<T>;
    },
    close() {
      engine?.dispose();
    },
  };
}

function reviveError(name: string, message: string): Error {
  const err = name === 'ImageReadError' ? new ImageReadError(message) : new DehazerError(message);
  if (name !== 'ImageReadError') err.name = name;
  return err;
}

async function toRgba(input: Blob | ImageData | RgbaImage): Promise<RgbaImage> {
  if (input instanceof Blob) return decodeImageFile(input);
  // Copy: the pixels are transferred to the worker, and the caller keeps theirs.
  return { width: input.width, height: input.height, data: new Uint8ClampedArray(input.data) };
}

/** Starts the engine (picks a backend). Weights load on first use, or with loadModel(). */
export async function createWebDehazer(opts: WebDehazerOptions = {}): Promise<WebDehazer> {
  const { priorUrl, networkUrl } = resolveModelUrls(opts);
  const engineOptions: EngineOptions = {
    priorUrl,
    networkUrl,
    backends: [...(opts.backends ?? BACKEND_ORDER)],
    cache: opts.cache ?? true,
  };
  let transport: Transport;
  let runsIn: WebDehazer['runsIn'] = 'page';
  let ready: EngineReady;
  if (opts.worker !== false && typeof Worker !== 'undefined') {
    let worker: Transport | null = null;
    try {
      worker = workerTransport();
      ready = await worker.call<EngineReady>({ type: 'start', options: engineOptions });
      transport = worker;
      runsIn = 'worker';
    } catch {
      worker?.close();
      transport = await pageTransport();
      ready = await transport.call<EngineReady>({ type: 'start', options: engineOptions });
    }
  } else {
    transport = await pageTransport();
    ready = await transport.call<EngineReady>({ type: 'start', options: engineOptions });
  }
  let model: Promise<ModelInfo> | null = null;
  const loadModel = (onProgress?: (p: Progress) => void) => {
    if (!model) {
      model = transport.call<ModelInfo>({ type: 'load' }, onProgress);
      model.catch(() => (model = null)); // a failed download may be retried
    }
    return model;
  };
  return {
    backend: ready.backend,
    backendDetail: ready.detail,
    refusedBackends: ready.refused,
    runsIn,
    priorUrl,
    networkUrl,
    loadModel,
    async dehaze(input, callOpts = {}) {
      const { onProgress, ...options } = callOpts;
      await loadModel(onProgress);
      const image = await toRgba(input);
      const out = await transport.call<DehazeOutput>({ type: 'dehaze', image, options }, onProgress, [image.data.buffer]);
      return { ...out, backend: ready.backend };
    },
    dispose() {
      transport.close();
    },
  };
}
