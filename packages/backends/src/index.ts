// Node entry of @diffli2d/backends.
export const VERSION = '0.1.0';
export { registerWasmGradientKernels, registerDepthToSpaceGradient, WASM_GRADIENT_KERNELS } from './kernels/register';
export { spaceToDepth } from './kernels/depth-to-space-gradient';
export { installWebGpuAddNFix } from './kernels/webgpu-addn';
export { BackendsError, KernelArgumentError, BackendUnavailableError, WasmThreadsError } from './errors';
export { initWasmThreads } from './node/wasm-threads';
export type { WasmThreadsOptions } from './node/wasm-threads';
export { setupBackend, NODE_BACKENDS } from './node/setup-backend';
export type { SetupBackendOptions, SetupBackendResult, NodeBackendName } from './node/setup-backend';
export { startNodeWebGPU } from './node/node-webgpu';
export type { NodeWebGPUOptions, NodeWebGPUResult } from './node/node-webgpu';
