// Opens any supported weights file lazily, recognising the format from its first bytes.
import type { ByteSource } from '../source';
import { openSafetensors } from './safetensors';
import { type OpenTorchOptions, openTorchCheckpoint } from './torch';
import type { LazyWeights } from './types';

/** torch zip ("PK\x03\x04") and legacy (a protocol-2 pickle of the magic LONG1) headers. */
export function detectFormat(head: Uint8Array): 'torch' | 'safetensors' {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'torch';
  if (head.length >= 3 && head[0] === 0x80 && head[1] <= 5 && head[2] === 0x8a) return 'torch';
  return 'safetensors';
}

export async function openWeights(source: ByteSource, opts: OpenTorchOptions = {}): Promise<LazyWeights> {
  const head = await source.read(0, Math.min(4, source.size));
  return detectFormat(head) === 'torch' ? openTorchCheckpoint(source, opts) : openSafetensors(source);
}
