import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { CommandContext, CommandResult } from '../context';
import { defaultModelFiles } from '../methods/restorer';
import type { Bind } from '../program';
import { prepareBackend } from '../util/backend';
import { describeModelFile } from '../methods/model-info';
import { VERSION } from '../version';

const PACKAGES = [
  '@diffli2d/weights',
  '@diffli2d/backends',
  '@diffli2d/ddpm-hspace',
  '@diffli2d/metrics',
  '@diffli2d/datasets',
  '@diffli2d/diffli2d',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  'sharp',
];

export function registerInfo(program: Command, bind: Bind): void {
  const cmd = program
    .command('info')
    .description('versions, the backend this machine gets and why, and a summary of a model file')
    .option('--model <file>', 'also summarise this DiffLI2D model or checkpoint file')
    .option('--no-backend', 'skip choosing a backend (faster)')
    .addHelpText(
      'after',
      `
Examples:
  $ diffli2d info
  $ diffli2d info --backend wasm --json
  $ diffli2d info --model runs/tiny/model.safetensors`,
    );
  bind(cmd, (_args, o, ctx) => runInfo(o, ctx));
}

/**
 * The installed version of a package, or null when it is not installed. Packages whose `exports` hide
 * package.json (sharp 0.35) are found from their entry point, walking up to their own package.json.
 */
function versionOf(require: NodeRequire, name: string): string | null {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    try {
      let dir = path.dirname(require.resolve(name));
      for (;;) {
        const file = path.join(dir, 'package.json');
        if (fs.existsSync(file)) {
          const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
          if (pkg.name === name) return pkg.version ?? null;
        }
        const parent = path.dirname(dir);
        if (parent === dir) return null;
        dir = parent;
      }
    } catch {
      return null;
    }
  }
}

async function runInfo(o: Record<string, unknown>, ctx: CommandContext): Promise<CommandResult> {
  const require = createRequire(__filename);
  const versions: Record<string, string | null> = { '@diffli2d/cli': VERSION, node: process.versions.node };
  for (const p of PACKAGES) versions[p] = versionOf(require, p);
  const backend = o.backend === false ? null : await prepareBackend(ctx);
  const model = o.model !== undefined ? await describeModelFile(String(o.model)) : null;
  const json = {
    versions,
    platform: { os: `${os.platform()} ${os.release()}`, arch: os.arch(), cpus: os.cpus().length, memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)) },
    backend,
    defaultModel: defaultModelFiles()?.network ?? null,
    v1Model: defaultModelFiles('v1')?.network ?? null,
    model,
  };
  const lines = [
    `diffli2d ${VERSION} on Node ${process.versions.node}, ${json.platform.os} ${json.platform.arch}, ${json.platform.cpus} CPU(s)`,
    ...Object.entries(versions)
      .filter(([k]) => k !== '@diffli2d/cli' && k !== 'node')
      .map(([k, v]) => `  ${k.padEnd(30)} ${v ?? 'not installed'}`),
  ];
  if (backend) {
    lines.push(`backend: ${backend.name} (${backend.detail})`);
    for (const [n, why] of Object.entries(backend.reasons)) lines.push(`  skipped ${n}: ${why}`);
  }
  lines.push(`default model: ${json.defaultModel ?? 'missing from this install'}`);
  lines.push(`first default model (v1; --model <it> --prior <its prior.safetensors>): ${json.v1Model ?? 'missing from this install'}`);
  if (model) lines.push(`model ${model.file}: ${model.summary}`);
  return { json, text: lines.join('\n') };
}
