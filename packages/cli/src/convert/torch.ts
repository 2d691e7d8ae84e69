// `convert torch`: any state_dict to safetensors, names and layouts unchanged.
import * as path from 'node:path';
import type { CommandContext, CommandResult } from '../context';
import { checkOutput, parameterCount, readWeightsFile, writeSafetensorsFile } from './files';

export async function convertTorch(input: string, output: string, o: Record<string, unknown>, ctx: CommandContext): Promise<CommandResult> {
  checkOutput(input, output, Boolean(o.overwrite));
  const key = o.key as string | undefined;
  const { tensors, metadata } = await readWeightsFile(input, key ? { key } : {});
  const meta = { ...metadata, source: path.basename(input), converted_by: 'diffli2d convert torch', ...(key ? { source_key: key } : {}) };
  ctx.note(`convert torch: ${tensors.size} tensors read from ${input}`);
  const written = await writeSafetensorsFile(output, tensors, meta, { f16: Boolean(o.f16) });
  const parameters = parameterCount(tensors);
  const json = {
    input: path.resolve(input),
    output: path.resolve(output),
    tensors: tensors.size,
    parameters,
    bytes: written.bytes,
    dtypes: written.dtypes,
    metadata: meta,
  };
  return {
    json,
    text: `wrote ${output}: ${tensors.size} tensors, ${parameters.toLocaleString('en-US')} parameters, ${(written.bytes / 2 ** 20).toFixed(1)} MiB`,
  };
}
