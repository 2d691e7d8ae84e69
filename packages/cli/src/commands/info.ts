import { Command } from 'commander';
import { NotAvailableError } from '../errors';
import type { Bind } from '../program';

export function registerInfo(program: Command, bind: Bind): void {
  const cmd = program.command('info').description('(not wired yet)');
  bind(cmd, async () => {
    throw new NotAvailableError('info is not wired yet');
  });
}
