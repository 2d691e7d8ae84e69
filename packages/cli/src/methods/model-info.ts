// A short description of a DiffLI2D model/checkpoint file, read from its safetensors
// header (config + tensor count) without building the network.
import * as fs from 'node:fs';
import { InputError } from '../errors';
import { libs } from '../util/libs';

export interface ModelFileInfo {
  file: string;
  format: string | null;
  config: unknown;
  tensors: number;
  parameters: number;
  summary: string;
}

export async function describeModelFile(file: string): Promise<ModelFileInfo> {
  if (!fs.existsSync(file)) throw new InputError(`${file}: no such model file`);
  const readSafetensors = (await libs.weights()).readSafetensors;
  const { tensors, metadata } = readSafetensors(new Uint8Array(fs.readFileSync(file)));
  let config: unknown = null;
  try {
    config = metadata.config ? JSON.parse(metadata.config) : null;
  } catch {
    throw new InputError(`${file}: metadata "config" is not valid JSON`);
  }
  let parameters = 0;
  let modelTensors = 0;
  for (const [name, t] of tensors) {
    if (name.startsWith('adam.')) continue; // optimiser state in checkpoints
    modelTensors++;
    parameters += t.shape.reduce((a, b) => a * b, 1);
  }
  const format = metadata.format ?? null;
  return {
    file,
    format,
    config,
    tensors: modelTensors,
    parameters,
    summary: `${format ?? 'safetensors'}, ${modelTensors} tensors, ${parameters.toLocaleString('en-US')} parameters`,
  };
}
