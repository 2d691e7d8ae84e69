import { Command } from 'commander';
import { NotAvailableError } from '../errors';
import type { Bind } from '../program';

export function registerData(program: Command, bind: Bind): void {
  const cmd = program.command('data').description('(not wired yet)');
  bind(cmd, async () => {
    throw new NotAvailableError('data is not wired yet');
  });
}
