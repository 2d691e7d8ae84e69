import { Command } from 'commander';
import { NotAvailableError } from '../errors';
import type { Bind } from '../program';

export function registerHspace(program: Command, bind: Bind): void {
  const cmd = program.command('hspace').description('(not wired yet)');
  bind(cmd, async () => {
    throw new NotAvailableError('hspace is not wired yet');
  });
}
