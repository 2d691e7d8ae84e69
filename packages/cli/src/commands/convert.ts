import type { Command } from 'commander';
import type { Bind } from '../program';
import { convertTorch } from '../convert/torch';
import { convertAdm } from '../convert/adm';
import { convertLpips } from '../convert/lpips';

export function registerConvert(program: Command, bind: Bind): void {
  const convert = program.command('convert').description('convert PyTorch checkpoints to safetensors (never executes pickle code)');
  convert.addHelpText(
    'after',
    `
Examples:
  $ diffli2d convert adm 256x256_diffusion_uncond.pt adm256.safetensors --hspace-only --f16
  $ diffli2d convert torch model.pt model.safetensors --key state_dict
  $ diffli2d convert lpips alexnet-owt.pth lpips-v0.1-alex.pth lpips-alex.safetensors --net alex`,
  );

  const torch = convert
    .command('torch')
    .description('any PyTorch state_dict (.pt/.pth, zip or legacy format) to safetensors, same names and layouts')
    .argument('<in.pt>', 'torch.save file')
    .argument('<out.safetensors>', 'output file')
    .option('--key <path>', "only this sub-tree of the checkpoint, e.g. 'model' or 'state_dict' (names relative to it)")
    .option('--f16', 'store float tensors as float16 (half the size)')
    .option('--overwrite', 'replace an existing output')
    .addHelpText(
      'after',
      `
Non-tensor entries (epoch, names, settings) go into the safetensors __metadata__.

Examples:
  $ diffli2d convert torch unet.pt unet.safetensors
  $ diffli2d convert torch checkpoint.pt weights.safetensors --key model --f16 --json`,
    );
  bind(torch, (args, o, ctx) => convertTorch(String(args[0]), String(args[1]), o, ctx));

  const adm = convert
    .command('adm')
    .description('a guided-diffusion UNet checkpoint (e.g. 256x256_diffusion_uncond.pt), checked against its config')
    .argument('<in.pt>', 'guided-diffusion checkpoint')
    .argument('<out.safetensors>', 'output file (config stored in its metadata)')
    .option(
      '--config <preset|flags>',
      "UNet config: a preset (adm-256-uncond, adm-small-32) or guided-diffusion MODEL_FLAGS (default: the file's own metadata, else adm-256-uncond)",
    )
    .option('--key <path>', "sub-tree of the checkpoint holding the state_dict, e.g. 'model'")
    .option('--hspace-only', 'keep only time_embed, input_blocks and middle_block (all the h-space needs; 38% of the weights)')
    .option('--f16', 'store weights as float16')
    .option('--overwrite', 'replace an existing output')
    .addHelpText(
      'after',
      `
Examples:
  $ diffli2d convert adm 256x256_diffusion_uncond.pt adm256-hspace.safetensors --hspace-only
  $ diffli2d convert adm small.pt small.safetensors --config "--image_size 32 --num_channels 32 --num_res_blocks 2 --channel_mult 1,2,2 --attention_resolutions 16,8 --num_head_channels 16 --learn_sigma True --use_scale_shift_norm True --resblock_updown True"`,
    );
  bind(adm, (args, o, ctx) => convertAdm(String(args[0]), String(args[1]), o, ctx));

  const lpips = convert
    .command('lpips')
    .description('an LPIPS backbone (torchvision features) + v0.1 linear layers into one file for eval --metrics lpips')
    .argument('<backbone>', 'torchvision alexnet/vgg16/squeezenet1_1 weights (.pth or .safetensors)')
    .argument('<lin>', 'LPIPS v0.1 linear layers, e.g. lpips-v0.1-alex.pth (.pth or .safetensors)')
    .argument('<out.safetensors>', 'output file')
    .option('--net <name>', 'alex, vgg or squeeze', 'alex')
    .option('--overwrite', 'replace an existing output')
    .addHelpText(
      'after',
      `
The result is checked by building the LPIPS network from it before it is written.

Examples:
  $ diffli2d convert lpips alexnet-owt-7be5be79.pth lpips-v0.1-alex.pth lpips-alex.safetensors --net alex`,
    );
  bind(lpips, (args, o, ctx) => convertLpips(String(args[0]), String(args[1]), String(args[2]), o, ctx));
}
