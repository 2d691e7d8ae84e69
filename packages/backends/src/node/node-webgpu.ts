// WebGPU in Node through the `webgpu` npm package (Dawn's N-API binding) and
// @tensorflow/tfjs-backend-webgpu. navigator.gpu and the GPU* globals must exist before
// the tfjs backend module is imported: it registers itself only if navigator.gpu does.
import * as tf from '@tensorflow/tfjs-core';
import { loadOptional } from './optional-module';
import { installWebGpuAddNFix } from '../kernels/webgpu-addn';

/** The parts of WebGPU's adapter this module reads (typed here so no DOM/WebGPU typings are needed). */
interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface Adapter {
  info?: AdapterInfo;
  isFallbackAdapter?: boolean;
}
interface Gpu {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<Adapter | null>;
}
interface DawnModule {
  create(options: string[]): Gpu;
  globals: Record<string, unknown>;
}

export interface NodeWebGPUOptions {
  /** Accept a software adapter (lavapipe, SwiftShader). Only when 'webgpu' was asked for by name. */
  allowSoftware: boolean;
  /** Options passed to Dawn's create(), e.g. ['backend=vulkan']. */
  dawnOptions?: string[];
}

export type NodeWebGPUResult = { ok: true; adapter: string; software: boolean } | { ok: false; reason: string };

let dawnGpu: Gpu | null = null;

function describe(info: AdapterInfo | undefined): string {
  if (!info) return 'unknown adapter';
  return [info.vendor, info.description || info.device || info.architecture].filter(Boolean).join(' ') || 'unnamed adapter';
}

function isSoftware(adapter: Adapter): boolean {
  const info = adapter.info;
  return Boolean(
    info?.isFallbackAdapter ||
      adapter.isFallbackAdapter ||
      info?.architecture === 'software' ||
      /llvmpipe|lavapipe|swiftshader/i.test(`${info?.description} ${info?.device}`),
  );
}

/** Installs navigator.gpu and the GPU* globals (only those missing) from Dawn. */
function installGlobals(dawn: DawnModule, gpu: Gpu): void {
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  const g = globalThis as { navigator?: { gpu?: Gpu } };
  if (g.navigator == null) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else if (g.navigator.gpu == null) {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  }
}

export async function startNodeWebGPU(options: NodeWebGPUOptions): Promise<NodeWebGPUResult> {
  const dawn = await loadOptional<DawnModule>('webgpu');
  if (!dawn.ok) return { ok: false, reason: `the 'webgpu' package is ${dawn.reason}` };
  let adapter: Adapter | null;
  try {
    dawnGpu ??= dawn.module.create(options.dawnOptions ?? []);
    // The same request tfjs-backend-webgpu makes, so both see the same adapter.
    adapter = await dawnGpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (err) {
    return { ok: false, reason: `Dawn failed to start (${(err as Error).message.split('\n')[0]})` };
  }
  if (!adapter) return { ok: false, reason: 'Dawn found no adapter (no GPU or no Vulkan/Metal/D3D driver)' };
  const name = describe(adapter.info);
  const software = isSoftware(adapter);
  if (software && !options.allowSoftware) {
    return { ok: false, reason: `only a software adapter (${name}); name 'webgpu' explicitly to use it` };
  }
  installGlobals(dawn.module, dawnGpu);
  const backendModule = await loadOptional<unknown>('@tensorflow/tfjs-backend-webgpu');
  if (!backendModule.ok) return { ok: false, reason: `@tensorflow/tfjs-backend-webgpu ${backendModule.reason}` };
  if (!tf.findBackendFactory('webgpu')) {
    return { ok: false, reason: 'tfjs-backend-webgpu registered no backend (was it imported before navigator.gpu existed?)' };
  }
  // setBackend resolves false (it does not throw) when the backend fails to initialise.
  if (!(await tf.setBackend('webgpu'))) {
    tf.removeBackend('webgpu');
    return { ok: false, reason: `tf.setBackend('webgpu') failed on ${name}` };
  }
  installWebGpuAddNFix();
  return { ok: true, adapter: name, software };
}
