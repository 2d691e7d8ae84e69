import { CACHE_NAME, clearWeightsCache, fetchWeights, type FetchProgress } from '../src/model-store';
import { ModelLoadError } from '../src/errors';

// A Map-backed CacheStorage: enough of the real interface for fetchWeights.
class MemoryCache {
  entries = new Map<string, { body: Uint8Array; headers: Headers }>();
  async match(url: string) {
    const e = this.entries.get(url);
    return e ? new Response(e.body.slice(), { headers: e.headers }) : undefined;
  }
  async put(url: string, res: Response) {
    this.entries.set(url, { body: new Uint8Array(await res.arrayBuffer()), headers: res.headers });
  }
}
class MemoryCacheStorage {
  caches = new Map<string, MemoryCache>();
  async open(name: string) {
    if (!this.caches.has(name)) this.caches.set(name, new MemoryCache());
    return this.caches.get(name)!;
  }
  async delete(name: string) {
    return this.caches.delete(name);
  }
}

const payload = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 251);
function server() {
  const calls: string[] = [];
  const fetchImpl = (async (url: string) => {
    calls.push(url);
    if (url.endsWith('missing.safetensors')) return new Response('no', { status: 404, statusText: 'Not Found' });
    return new Response(payload.slice(), { headers: { 'content-length': String(payload.length) } });
  }) as unknown as typeof fetch;
  return { calls, fetchImpl };
}

describe('fetchWeights', () => {
  test('downloads once, then serves the same bytes from Cache Storage', async () => {
    const store = new MemoryCacheStorage() as unknown as CacheStorage;
    const { calls, fetchImpl } = server();
    const seen: FetchProgress[] = [];
    const first = await fetchWeights('http://x/prior.safetensors', { fetchImpl, caches: store, onProgress: (p) => seen.push(p) });
    const second = await fetchWeights('http://x/prior.safetensors', { fetchImpl, caches: store, onProgress: (p) => seen.push(p) });
    expect(calls).toEqual(['http://x/prior.safetensors']);
    expect(Array.from(first)).toEqual(Array.from(payload));
    expect(Array.from(second)).toEqual(Array.from(payload));
    const last = seen.filter((p) => !p.fromCache).at(-1)!;
    expect(last).toMatchObject({ loaded: 1000, total: 1000 });
    expect(seen.at(-1)).toMatchObject({ fromCache: true, loaded: 1000 });
    expect(await clearWeightsCache(store)).toBe(true);
    expect((store as unknown as MemoryCacheStorage).caches.has(CACHE_NAME)).toBe(false);
  });

  test('cache: false always downloads', async () => {
    const store = new MemoryCacheStorage() as unknown as CacheStorage;
    const { calls, fetchImpl } = server();
    await fetchWeights('http://x/a', { fetchImpl, caches: store, cache: false });
    await fetchWeights('http://x/a', { fetchImpl, caches: store, cache: false });
    expect(calls).toHaveLength(2);
  });

  test('an HTTP error names the URL and the status', async () => {
    const { fetchImpl } = server();
    const attempt = fetchWeights('http://x/missing.safetensors', { fetchImpl, caches: null });
    await expect(attempt).rejects.toBeInstanceOf(ModelLoadError);
    await expect(attempt).rejects.toThrow('http://x/missing.safetensors: HTTP 404 Not Found');
  });

  test('a truncated body is refused', async () => {
    const fetchImpl = (async () => new Response(payload.slice(0, 10), { headers: { 'content-length': '1000' } })) as unknown as typeof fetch;
    await expect(fetchWeights('http://x/t', { fetchImpl, caches: null })).rejects.toThrow('received 10 bytes, but Content-Length said 1000');
  });
});
