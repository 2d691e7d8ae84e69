// For tests that run a child process on Node WebGPU (Dawn): point Vulkan at Mesa's lavapipe when
// it is installed and the environment names no driver, and say how to get it when it fails.
import * as fs from 'node:fs';
import * as path from 'node:path';

const ICD_DIR = '/usr/share/vulkan/icd.d';

export const WEBGPU_INSTALL_HINT =
  'Node WebGPU needs a Vulkan driver Dawn accepts; without a GPU run sh packages/backends/scripts/install-lavapipe.sh as root (see packages/backends/README.md).';

/** Environment additions for a child that starts Node WebGPU. */
export function vulkanEnv(): Record<string, string> {
  if (process.env.VK_DRIVER_FILES) return {};
  const icd = fs.existsSync(ICD_DIR) ? fs.readdirSync(ICD_DIR).find((f) => /^lvp_icd.*\.json$/.test(f)) : undefined;
  return icd ? { VK_DRIVER_FILES: path.join(ICD_DIR, icd) } : {};
}
