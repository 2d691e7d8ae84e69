// Fetches weight files once and keeps them in Cache Storage, so a second visit (or a
// second embedded element) starts without downloading. Download progress is reported
// from the response stream. Model URLs should be versioned: a cached URL is never re-checked.
import { ModelLoadError } from './errors';

export const CACHE_NAME = 'diffli2d-models-v1';

export interface FetchProgress {
  url: string;
  loaded: number;
  /** From Content-Length; null when the server does not say. */
  total: number | null;
  fromCache: boolean;
}

export interface FetchWeightsOptions {
  /** false: always download, never store (default true where Cache Storage exists). */
  cache?: boolean;
  onProgress?: (p: FetchProgress) => void;
  signal?: AbortSignal;
  /** For tests: stand-ins for the browser's globals. */
  fetchImpl?: typeof fetch;
  caches?: CacheStorage | null;
}

function defaultCaches(): CacheStorage | null {
  // Cache Storage only exists in secure contexts (https, localhost).
  return typeof caches !== 'undefined' ? caches : null;
}

async function readAll(response: Response, url: string, fromCache: boolean, onProgress?: (p: FetchProgress) => void): Promise<Uint8Array> {
  const header = response.headers.get('content-length');
  const total = header !== null && /^\d+$/.test(header) ? Number(header) : null;
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress?.({ url, loaded: bytes.length, total: bytes.length, fromCache });
    return bytes;
  }
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress?.({ url, loaded, total, fromCache });
  }
  if (total !== null && loaded !== total) throw new ModelLoadError(`${url}: received ${loaded} bytes, but Content-Length said ${total}`);
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

/** The bytes at `url`, from Cache Storage when present, else downloaded (and then cached). */
export async function fetchWeights(url: string, opts: FetchWeightsOptions = {}): Promise<Uint8Array> {
  const doFetch = opts.fetchImpl ?? fetch;
  const store = opts.cache === false ? null : opts.caches !== undefined ? opts.caches : defaultCaches();
  let cache: Cache | null = null;
  if (store) {
    try {
      cache = await store.open(CACHE_NAME);
      const hit = await cache.match(url);
      if (hit) return await readAll(hit, url, true, opts.onProgress);
    } catch {
      cache = null; // storage refused (private mode, quota): download without caching
    }
  }
  let response: Response;
  try {
    response = await doFetch(url, { signal: opts.signal });
  } catch (err) {
    throw new ModelLoadError(`could not download ${url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!response.ok) throw new ModelLoadError(`could not download ${url}: HTTP ${response.status} ${response.statusText}`.trim());
  const bytes = await readAll(response, url, false, opts.onProgress);
  if (cache) {
    try {
      await cache.put(
        url,
        new Response(bytes.slice().buffer as ArrayBuffer, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) } }),
      );
    } catch {
      // Quota exceeded: the model still runs, it just downloads again next time.
    }
  }
  return bytes;
}

/** Drops every cached weight file (the UI's "clear cached model" button). */
export async function clearWeightsCache(store: CacheStorage | null = defaultCaches()): Promise<boolean> {
  return store ? store.delete(CACHE_NAME) : false;
}
