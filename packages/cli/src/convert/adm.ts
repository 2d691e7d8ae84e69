// `convert adm`: a guided-diffusion UNet checkpoint through @diffli2d/ddpm-hspace's
// convertAdmCheckpoint (every key and shape checked against the config, config stored in
// the output's metadata, optionally only the h-space part and/or float16).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommandContext, CommandResult } from '../context';
import { InputError } from '../errors';
import { writeFileAtomic } from '../io/images';
import { loadExport } from '../util/libs';
import { checkOutput, parameterCount, readWeightsFile } from './files';

type ConvertAdmCheckpoint = (bytes: Uint8Array, opts: { parts?: 'full' | 'hspace'; dtype?: 'f32' | 'f16'; config?: string; key?: string }) => Uint8Array;

export async function convertAdm(input: string, output: string, o: Record<string, unknown>, ctx: CommandContext): Promise<CommandResult> {
  checkOutput(input, output, Boolean(o.overwrite));
  if (!fs.existsSync(input)) throw new InputError(`${input}: no such file`);
  const convert = await loadExport<ConvertAdmCheckpoint>('@diffli2d/ddpm-hspace', 'convertAdmCheckpoint', 'convert adm');
  const parts = o.hspaceOnly ? 'hspace' : 'full';
  const config = o.config as string | undefined;
  let bytes: Uint8Array;
  try {
    bytes = convert(new Uint8Array(fs.readFileSync(input)), {
      parts,
      dtype: o.f16 ? 'f16' : 'f32',
      ...(config !== undefined ? { config } : {}),
      ...(o.key !== undefined ? { key: String(o.key) } : {}),
    });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    // the library lists every mismatch; the first few say enough on one line
    throw new InputError(`${input} does not convert with UNet config '${config ?? 'from its metadata, else adm-256-uncond'}': ${detail.length > 400 ? detail.slice(0, 400) + ' …' : detail}`);
  }
  await writeFileAtomic(output, bytes);
  const written = await readWeightsFile(output);
  const parameters = parameterCount(written.tensors);
  ctx.note(`convert adm: ${input} -> ${output}`);
  const json = { input: path.resolve(input), output: path.resolve(output), parts, tensors: written.tensors.size, parameters, bytes: bytes.length, metadata: written.metadata };
  return { json, text: `wrote ${output}: ${parts} UNet, ${written.tensors.size} tensors, ${parameters.toLocaleString('en-US')} parameters, ${(bytes.length / 2 ** 20).toFixed(1)} MiB` };
}
