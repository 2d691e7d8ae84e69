// Works around tfjs-backend-webgpu 4.22's AddN: it binds one storage buffer per input, so
// tf.addN of more tensors than the device's maxStorageBuffersPerShaderStage − 1 (8 − 1 on
// SwiftShader) makes an invalid pipeline and returns garbage WITHOUT throwing.
// (Found by the web demo: @diffli2d/diffli2d's depthwise3x3 sums 9 terms with tf.addN and
// dropped to 12 dB against wasm.) This re-registers AddN for webgpu to add at most MAX_INPUTS
// tensors per dispatch, summing the partial sums again. Registered by setupBackend /
// setupBrowserBackend whenever they choose webgpu; idempotent.
import * as tf from '@tensorflow/tfjs-core';

const MAX_INPUTS = 4;
let installed = false;

/** Returns false when the webgpu backend (and so its AddN) is not registered yet. */
export function installWebGpuAddNFix(): boolean {
  if (installed) return true;
  const original = tf.getKernel('AddN', 'webgpu');
  if (!original) return false;
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({
    kernelName: 'AddN',
    backendName: 'webgpu',
    kernelFunc: (args) => {
      const { backend, attrs } = args;
      let level = args.inputs as unknown as tf.TensorInfo[];
      const partials: tf.TensorInfo[] = [];
      while (level.length > MAX_INPUTS) {
        const next: tf.TensorInfo[] = [];
        for (let i = 0; i < level.length; i += MAX_INPUTS) {
          const chunk = level.slice(i, i + MAX_INPUTS);
          if (chunk.length === 1) {
            next.push(chunk[0]!);
            continue;
          }
          const sum = original.kernelFunc({ inputs: chunk as unknown as tf.NamedTensorInfoMap, backend, attrs }) as tf.TensorInfo;
          partials.push(sum);
          next.push(sum);
        }
        level = next;
      }
      const result = original.kernelFunc({ inputs: level as unknown as tf.NamedTensorInfoMap, backend, attrs }) as tf.TensorInfo;
      for (const p of partials) (backend as tf.KernelBackend).disposeData(p.dataId);
      return result;
    },
  });
  installed = true;
  return true;
}
