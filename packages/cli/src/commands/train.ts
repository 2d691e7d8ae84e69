import type { Command } from 'commander';
import type { CommandContext, CommandResult } from '../context';
import type { Bind } from '../program';
import { loadTrainConfig } from '../train/config';
import { positiveInt } from '../util/options';

export function registerTrain(program: Command, bind: Bind): void {
  const cmd = program
    .command('train')
    .description('train a DiffLI2D network from a JSON/YAML config (checkpoints, --resume, logs, curves)')
    .requiredOption('-c, --config <file>', 'training config (.json, .yaml or .yml)')
    .option('--output <dir>', 'run folder (overrides the config\'s "output")')
    .option('--max-steps <n>', 'stop after this many steps in all (overrides train.maxSteps)')
    .option('--resume', 'continue the run in the output folder from its checkpoint')
    .option('--overwrite', 'start again, replacing the run in the output folder')
    .addHelpText(
      'after',
      `
Config (relative paths are relative to the config file):
  output: runs/tiny                    # run folder
  seed: 0
  data:  { train: data/its, val: data/sots-indoor, valLimit: 4 }
  prior: { weights: adm256-hspace.safetensors }   # the frozen diffusion UNet, from \`diffli2d convert adm\`
  model: { preset: tiny, overrides: {} }          # tiny | paper | released
  train: { epochs: 1200, batchSize: 40, crop: 128, lr: 2e-4, lrDecay: { everyEpochs: 300, factor: 0.5 } }
  checkpoint: { every: 100 }
  validation: { every: 100 }

The run folder gets config.resolved.json, log.jsonl (one JSON record per line),
checkpoint.safetensors, model.safetensors (with its recipe: the tile side validation used and
the prior, by path and sha256, so \`dehaze --model\` needs nothing else) and curves.svg/png (loss, PSNR).
On a terminal a progress bar shows loss, lr and ETA; otherwise records go to stderr as JSON lines.

Examples:
  $ diffli2d train --config train.yaml
  $ diffli2d train --config train.yaml --resume --max-steps 5000
  $ diffli2d --backend wasm train -c train.json --output runs/try2 --overwrite --json`,
    );
  bind(cmd, (_args, o, ctx) => runTrainCommand(o, ctx));
}

async function runTrainCommand(o: Record<string, unknown>, ctx: CommandContext): Promise<CommandResult> {
  const maxSteps = positiveInt('--max-steps', o.maxSteps);
  const config = loadTrainConfig(String(o.config), {
    ...(o.output !== undefined ? { output: String(o.output) } : {}),
    ...(maxSteps !== undefined ? { maxSteps } : {}),
  });
  const { runTraining } = await import('../train/run');
  const summary = await runTraining(config, { resume: Boolean(o.resume), overwrite: Boolean(o.overwrite) }, ctx);
  const text = `trained ${String(summary.steps)} step(s); last loss ${Number(summary.lastLoss).toFixed(4)}; files in ${String(summary.output)}`;
  return { json: summary, text };
}
