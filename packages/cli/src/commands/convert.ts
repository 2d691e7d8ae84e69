import { Command } from 'commander';
import { NotAvailableError } from '../errors';
import type { Bind } from '../program';

export function registerConvert(program: Command, bind: Bind): void {
  const cmd = program.command('convert').description('(not wired yet)');
  bind(cmd, async () => {
    throw new NotAvailableError('convert is not wired yet');
  });
}
