import { Command } from 'commander';
import { NotAvailableError } from '../errors';
import type { Bind } from '../program';

export function registerBench(program: Command, bind: Bind): void {
  const cmd = program.command('bench').description('(not wired yet)');
  bind(cmd, async () => {
    throw new NotAvailableError('bench is not wired yet');
  });
}
