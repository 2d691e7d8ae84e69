// `convert lpips`: a torchvision backbone and the LPIPS v0.1 linear layers in one
// safetensors file (`backbone.*`, `lin.*`, metadata net), checked by building LPIPS from it.
import * as path from 'node:path';
import type { CommandContext, CommandResult } from '../context';
import { InputError, UsageError } from '../errors';
import { buildLpips } from '../eval/lpips';
import { checkOutput, parameterCount, readWeightsFile, writeSafetensorsFile, type TensorEntry } from './files';

export const LPIPS_FORMAT = 'diffli2d-lpips';
const NETS = ['alex', 'vgg', 'squeeze'];

export async function convertLpips(
  backboneFile: string,
  linFile: string,
  output: string,
  o: Record<string, unknown>,
  ctx: CommandContext,
): Promise<CommandResult> {
  const net = String(o.net);
  if (!NETS.includes(net)) throw new UsageError(`--net expects alex, vgg or squeeze, got '${net}'`);
  checkOutput(backboneFile, output, Boolean(o.overwrite));
  checkOutput(linFile, output, Boolean(o.overwrite));
  const backbone = await readWeightsFile(backboneFile);
  const lin = await readWeightsFile(linFile);
  try {
    const lpips = await buildLpips(net, backbone.tensors, lin.tensors, ctx);
    lpips.dispose();
  } catch (err) {
    throw new InputError(`${backboneFile} + ${linFile} do not make an LPIPS-${net} network: ${err instanceof Error ? err.message : String(err)}`);
  }
  const tensors = new Map<string, TensorEntry>();
  for (const [k, t] of backbone.tensors) tensors.set(`backbone.${k}`, t);
  for (const [k, t] of lin.tensors) tensors.set(`lin.${k}`, t);
  const metadata = { format: LPIPS_FORMAT, net, backbone_source: path.basename(backboneFile), lin_source: path.basename(linFile) };
  const written = await writeSafetensorsFile(output, tensors, metadata);
  const parameters = parameterCount(tensors);
  const json = { output: path.resolve(output), net, tensors: tensors.size, parameters, bytes: written.bytes };
  return { json, text: `wrote ${output}: LPIPS-${net}, ${tensors.size} tensors, ${parameters.toLocaleString('en-US')} parameters` };
}
