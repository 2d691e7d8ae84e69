// `convert adm`: a guided-diffusion UNet checkpoint through @diffli2d/ddpm-hspace's
// convertAdmCheckpoint (every key and shape checked against the config, config stored in
// the output's metadata, optionally only the h-space part and/or float16).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommandContext, CommandResult } from '../context';
import { InputError } from '../errors';
import { writeFileAtomic } from '../io/images';
import type { LazyWeights } from '@diffli2d/weights';
import { libs } from '../util/libs';
import { checkOutput, parameterCount, readWeightsFile } from './files';

export async function convertAdm(input: string, output: string, o: Record<string, unknown>, ctx: CommandContext): Promise<CommandResult> {
  checkOutput(input, output, Boolean(o.overwrite));
  if (!fs.existsSync(input)) throw new InputError(`${input}: no such file`);
  // lazily: only the tensors kept are read (≈0.84 of 2.2 GB for the h-space part of ADM-256)
  const { convertAdmCheckpointLazy: convert } = await libs.ddpmHspace();
  const { openWeightsFile } = await libs.weightsNode();
  const parts = o.hspaceOnly ? 'hspace' : 'full';
  const config = o.config as string | undefined;
  let bytes: Uint8Array;
  let lazy: LazyWeights | undefined;
  try {
    lazy = await openWeightsFile(input, o.key !== undefined ? { key: String(o.key) } : {});
    bytes = await convert(lazy, { parts, dtype: o.f16 ? 'f16' : 'f32', ...(config !== undefined ? { config } : {}) });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    // the library lists every mismatch; the first few say enough on one line
    throw new InputError(
      `${input} does not convert with UNet config '${config ?? 'from its metadata, else adm-256-uncond'}': ${detail.length > 400 ? `${detail.slice(0, 400)} …` : detail}`,
    );
  } finally {
    await lazy?.close();
  }
  await writeFileAtomic(output, bytes);
  const written = await readWeightsFile(output);
  const parameters = parameterCount(written.tensors);
  ctx.note(`convert adm: ${input} -> ${output}`);
  const json = {
    input: path.resolve(input),
    output: path.resolve(output),
    parts,
    tensors: written.tensors.size,
    parameters,
    bytes: bytes.length,
    metadata: written.metadata,
  };
  return {
    json,
    text: `wrote ${output}: ${parts} UNet, ${written.tensors.size} tensors, ${parameters.toLocaleString('en-US')} parameters, ${(bytes.length / 2 ** 20).toFixed(1)} MiB`,
  };
}
