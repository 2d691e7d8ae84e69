// Node entry of @diffli2d/backends.
export const VERSION = '0.1.0';
export {
  registerWasmGradientKernels,
  registerWasmSpeedKernels,
  restoreWasmStockKernels,
  registerCpuSpeedKernels,
  restoreCpuStockKernels,
  registerDepthToSpaceGradient,
  WASM_GRADIENT_KERNELS,
  WASM_SPEED_KERNELS,
} from './kernels/register';
export { spaceToDepth } from './kernels/depth-to-space-gradient';
// The gradient kernels in a chosen formulation (benchmarks compare them; the kernels pick by shape).
export { conv2dBackpropFilterWith, chooseFilterGradFormulation } from './kernels/conv2d-backprop-filter';
export type { FilterGradFormulation } from './kernels/conv2d-backprop-filter';
export { conv2dBackpropInputWith, chooseInputGradFormulation } from './kernels/conv2d-backprop-input';
export type { InputGradFormulation } from './kernels/conv2d-backprop-input';
export { installWebGpuAddNFix } from './kernels/webgpu-addn';
export { BackendsError, KernelArgumentError, BackendUnavailableError, WasmThreadsError } from './errors';
export { initWasmThreads } from './node/wasm-threads';
export type { WasmThreadsOptions } from './node/wasm-threads';
export { setupBackend, NODE_BACKENDS } from './node/setup-backend';
export type { SetupBackendOptions, SetupBackendResult, NodeBackendName } from './node/setup-backend';
export { startNodeWebGPU } from './node/node-webgpu';
export type { NodeWebGPUOptions, NodeWebGPUResult } from './node/node-webgpu';
