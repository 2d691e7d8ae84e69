import { type Command, Option } from 'commander';
import type { CommandContext, CommandResult } from '../context';
import type { Bind } from '../program';
import { positiveInt } from '../util/options';

export function registerBench(program: Command, bind: Bind): void {
  const cmd = program
    .command('bench')
    .description('time this machine: backend, conv2d GFLOP/s, h-space extraction and the DiffLI2D network')
    .option('--prior <weights>', 'also time h-space extraction with this prior (a frozen diffusion UNet)')
    .addOption(new Option('--unet <weights>', 'old name of --prior').hideHelp())
    .option('--preset <name>', 'DiffLI2D preset to time: tiny, paper or released', 'paper')
    .option('--size <px>', 'image side for the h-space and network timings (multiple of 32)', '256')
    .option('--repeats <n>', 'timed runs per measurement (the median is reported)', '3')
    .addHelpText(
      'after',
      `
Without --prior the network is fed random guidance features of the right shape, so its time
is the network's alone. Numbers from a busy machine are noisy.

Examples:
  $ diffli2d bench
  $ diffli2d bench --backend wasm --preset tiny --size 128 --json
  $ diffli2d bench --prior adm256-hspace.safetensors --size 256`,
    );
  bind(cmd, (_args, o, ctx) => runBenchCommand(o, ctx));
}

async function runBenchCommand(o: Record<string, unknown>, ctx: CommandContext): Promise<CommandResult> {
  const { runBench } = await import('../bench/run');
  const result = await runBench(
    {
      ...((o.prior ?? o.unet) !== undefined ? { prior: String(o.prior ?? o.unet) } : {}),
      preset: String(o.preset),
      size: positiveInt('--size', o.size)!,
      repeats: positiveInt('--repeats', o.repeats)!,
    },
    ctx,
  );
  const lines = [
    `backend: ${result.backend.name} (${result.backend.detail})`,
    `conv2d 3×3 64→64 on 64×64: ${result.conv.gflops.toFixed(1)} GFLOP/s (${result.conv.ms.toFixed(1)} ms)`,
    ...(result.hspace
      ? [`h-space (t = 0 and 500) at ${result.size}²: ${result.hspace.ms.toFixed(0)} ms — ${result.hspace.prior}`]
      : ['h-space: not timed (pass --prior)']),
    `DiffLI2D ${result.network.preset} (${result.network.parameters.toLocaleString('en-US')} parameters) at ${result.size}²: ${result.network.ms.toFixed(0)} ms`,
  ];
  return { json: result, text: lines.join('\n') };
}
