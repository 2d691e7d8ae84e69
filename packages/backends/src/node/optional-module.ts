// Loads optional packages (tfjs-node, tfjs-node-gpu, webgpu) lazily, telling "not
// installed" apart from "installed but failed to load" for setupBackend's reasons.
import { createRequire } from 'node:module';
import * as path from 'node:path';

const requireHere = createRequire(__filename);
// The application's own node_modules, for optional packages installed next to the app.
const requireFromApp = createRequire(path.join(process.cwd(), 'noop.js'));

export type LoadResult<T> = { ok: true; module: T } | { ok: false; reason: string };

function isNotFound(err: unknown, specifier: string): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === 'MODULE_NOT_FOUND' && String(e.message).includes(`'${specifier}'`);
}

// A real dynamic import, kept away from transpilers that would turn it into require().
const dynamicImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;

export async function loadOptional<T>(specifier: string): Promise<LoadResult<T>> {
  for (const req of [requireHere, requireFromApp]) {
    let resolved: string;
    try {
      resolved = req.resolve(specifier);
    } catch (err) {
      if (isNotFound(err, specifier)) continue;
      return { ok: false, reason: `cannot be resolved (${(err as Error).message.split('\n')[0]})` };
    }
    try {
      return { ok: true, module: req(resolved) as T };
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_REQUIRE_ESM') {
        try {
          return { ok: true, module: (await dynamicImport(specifier)) as T };
        } catch (inner) {
          return { ok: false, reason: `failed to load (${(inner as Error).message.split('\n')[0]})` };
        }
      }
      return { ok: false, reason: `failed to load (${(err as Error).message.split('\n')[0]})` };
    }
  }
  return { ok: false, reason: 'not installed' };
}
