// `convert adm`: a guided-diffusion UNet checkpoint, checked key by key and shape by shape
// against the UNet its config describes (@diffli2d/ddpm-hspace), config kept in metadata.
import * as path from 'node:path';
import type { CommandContext, CommandResult } from '../context';
import { InputError } from '../errors';
import { loadExport } from '../util/libs';
import { checkOutput, parameterCount, readWeightsFile, writeSafetensorsFile, type TensorEntryLike } from './files';

type ResolveConfig = (like: unknown) => unknown;
type ParameterSpec = (config: unknown, parts: 'full' | 'hspace') => { name: string; shape: number[] }[];
type CheckWeights = (spec: { name: string; shape: number[] }[], shapes: Map<string, number[]>, opts?: { allowExtra?: boolean; what?: string }) => void;
type ConfigToMetadata = (config: unknown) => Record<string, string>;

export async function convertAdm(input: string, output: string, o: Record<string, unknown>, ctx: CommandContext): Promise<CommandResult> {
  checkOutput(input, output, Boolean(o.overwrite));
  const pkg = '@diffli2d/ddpm-hspace';
  const resolveConfig = await loadExport<ResolveConfig>(pkg, 'resolveConfig', 'convert adm');
  const admParameterSpec = await loadExport<ParameterSpec>(pkg, 'admParameterSpec', 'convert adm');
  const checkWeights = await loadExport<CheckWeights>(pkg, 'checkWeights', 'convert adm');
  const configToMetadata = await loadExport<ConfigToMetadata>(pkg, 'configToMetadata', 'convert adm');

  const config = resolveConfig(String(o.config));
  const parts = o.hspaceOnly ? 'hspace' : 'full';
  const spec = admParameterSpec(config, parts);
  const { tensors } = await readWeightsFile(input);
  ctx.note(`convert adm: ${tensors.size} tensors read from ${input}`);
  const shapes = new Map([...tensors].map(([k, t]) => [k, t.shape] as const));
  try {
    checkWeights(spec, shapes, { allowExtra: parts === 'hspace', what: input });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    // the library lists every mismatch; the first few say enough on one line
    throw new InputError(`${input} does not match UNet config '${String(o.config)}': ${detail.length > 400 ? detail.slice(0, 400) + ' …' : detail}`);
  }
  const kept = new Map<string, TensorEntryLike>();
  for (const p of spec) kept.set(p.name, tensors.get(p.name)!);
  const metadata = { ...configToMetadata(config), parts, source: path.basename(input), converted_by: 'diffli2d convert adm' };
  const written = await writeSafetensorsFile(output, kept, metadata, { f16: Boolean(o.f16) });
  const parameters = parameterCount(kept);
  const json = { input: path.resolve(input), output: path.resolve(output), parts, tensors: kept.size, parameters, bytes: written.bytes, dtypes: written.dtypes, metadata };
  return { json, text: `wrote ${output}: ${parts} UNet, ${kept.size} tensors, ${parameters.toLocaleString('en-US')} parameters, ${(written.bytes / 2 ** 20).toFixed(1)} MiB` };
}
