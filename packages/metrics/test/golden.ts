// Loads the shared golden files used by the tests.
import { readSafetensors, type TensorEntry } from '@diffli2d/weights';
import * as fs from 'node:fs';
import { readShared, sharedPath } from '../../../test-support/shared';

export function goldenTensors(file: string): Map<string, TensorEntry> {
  return readSafetensors(readShared('golden', file)).tensors;
}

export function goldenJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(sharedPath('golden', file), 'utf8')) as T;
}

export interface PsnrSsimPair {
  name: string;
  H: number;
  W: number;
  psnr_rgb: number;
  ssim_rgb: number;
  psnr_y: number;
  ssim_y: number;
  psnr_y_u8: number;
  ssim_y_u8: number;
  ssim_rgb_skimage_default: number;
  ssim_rgb_pytorch_ssim_samepad: number;
  mse_rgb: number;
  ssim_rgb_per_channel: number[];
}

export interface LoadedPair extends PsnrSsimPair {
  gt: Uint8Array;
  test: Uint8Array;
  shape: [number, number, number];
}

export function psnrSsimPairs(): LoadedPair[] {
  const json = goldenJson<{ pairs: PsnrSsimPair[] }>('psnr-ssim.json');
  const tensors = goldenTensors('psnr-ssim.safetensors');
  return json.pairs.map((p) => {
    const gt = tensors.get(`${p.name}.gt`)!;
    const test = tensors.get(`${p.name}.test`)!;
    return { ...p, gt: gt.data as Uint8Array, test: test.data as Uint8Array, shape: gt.shape as [number, number, number] };
  });
}
