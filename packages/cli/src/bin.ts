#!/usr/bin/env node
import { Command } from 'commander';
import { VERSION } from './index';

const program = new Command('diffli2d')
  .description('DiffLI2D.js: image dehazing guided by diffusion h-space')
  .version(VERSION);

program
  .command('dehaze')
  .description('dehaze images with the shipped default model')
  .argument('<inputs...>', 'image files, folders or globs')
  .option('-o, --output <dir>', 'output folder')
  .action(() => {
    console.error('diffli2d dehaze: no default model is shipped yet (issue #9); nothing was written');
    process.exit(2);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`diffli2d: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
