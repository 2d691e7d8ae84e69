import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineConfig, type Plugin } from 'vite';

// The shipped variants (@diffli2d/default-model): the default in models/ (with its depth network), the first one in models/v1/.
const MODEL_FILES = ['prior.safetensors', 'diffli2d.safetensors', 'depth.safetensors', 'v1/prior.safetensors', 'v1/diffli2d.safetensors'];

/**
 * Copies the shipped models into dist/models/ so the built folder is self-contained.
 * Looked for in $DIFFLI2D_MODEL_DIR, else packages/default-model/models/ (the @diffli2d/default-model package). Absent → the build still
 * succeeds and the page says which URL it could not load.
 */
function shippedModel(): Plugin {
  const dir = path.resolve(import.meta.dirname, process.env.DIFFLI2D_MODEL_DIR ?? '../default-model/models');
  return {
    name: 'diffli2d-shipped-model',
    apply: 'build',
    generateBundle() {
      for (const file of MODEL_FILES) {
        const src = path.join(dir, file);
        if (!fs.existsSync(src)) {
          this.warn(`no ${file} in ${dir}: dist/models/ will lack it (set DIFFLI2D_MODEL_DIR)`);
          continue;
        }
        this.emitFile({ type: 'asset', fileName: `models/${file}`, source: fs.readFileSync(src) });
      }
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [shippedModel()],
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      input: { index: path.resolve(import.meta.dirname, 'index.html'), 'diffli2d-dehaze': path.resolve(import.meta.dirname, 'src/embed.ts') },
      // Keep the embed entry's exports, and give it a stable name other pages can link to.
      preserveEntrySignatures: 'exports-only',
      output: {
        entryFileNames: (chunk) => (chunk.name === 'diffli2d-dehaze' ? 'assets/diffli2d-dehaze.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
});
