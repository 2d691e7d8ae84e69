import type { Options } from 'tsup';

/**
 * One build recipe for every library package: ESM + CJS + .d.ts, Node 20 / ES2022,
 * dependencies left external so that peers (tfjs) are shared with the host app.
 */
export function packageConfig(entry: Record<string, string>, overrides: Partial<Options> = {}): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    splitting: false,
    treeshake: true,
    shims: true,
    ...overrides,
  };
}
