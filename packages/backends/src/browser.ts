// Browser entry of @diffli2d/backends: no Node imports.
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
export { installWebGpuAddNFix } from './kernels/webgpu-addn';
export { BackendsError, KernelArgumentError, BackendUnavailableError, WasmThreadsError } from './errors';
export { setupBrowserBackend, BROWSER_BACKENDS } from './browser-setup';
export type { SetupBrowserBackendOptions, SetupBrowserBackendResult, BrowserBackendName } from './browser-setup';
