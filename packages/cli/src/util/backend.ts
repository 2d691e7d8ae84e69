// Chooses the tfjs backend for commands that run networks, through @diffli2d/backends
// (tfjs-node-gpu → tfjs-node → WebGPU → threaded wasm → cpu), honouring --backend.
import type { CommandContext } from '../context';
import { UsageError } from '../errors';
import { libs } from './libs';
import { loadTf } from './tf';

export interface BackendChoice {
  name: string;
  backend: string;
  detail: string;
  reasons: Record<string, string>;
  threads?: number;
}

/** --backend values: 'auto', one name, or a comma-separated order; 'tensorflow' means either tfjs-node build. */
export function backendOrder(request: string): string[] | undefined {
  if (request === 'auto') return undefined;
  const names = request
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .flatMap((n) => (n === 'tensorflow' ? ['tfjs-node-gpu', 'tfjs-node'] : [n]));
  const known = ['tfjs-node-gpu', 'tfjs-node', 'webgpu', 'wasm', 'cpu'];
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length || names.length === 0) {
    throw new UsageError(
      `--backend: unknown backend ${unknown.map((n) => `'${n}'`).join(', ') || '(empty)'}; expected auto, tensorflow or some of ${known.join(', ')}`,
    );
  }
  return names;
}

export async function prepareBackend(ctx: CommandContext, opts: { gradients?: boolean } = {}): Promise<BackendChoice> {
  const prefer = backendOrder(ctx.options.backend);
  // the full tfjs package registers the gradients training needs (tfjs-core's CJS bundle has none)
  if (opts.gradients) await loadTf();
  const { setupBackend } = await libs.backends();
  return setupBackend({ ...(prefer ? { prefer } : {}), log: (line) => ctx.note(line) });
}
