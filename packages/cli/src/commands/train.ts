import { Command } from 'commander';
import { NotAvailableError } from '../errors';
import type { Bind } from '../program';

export function registerTrain(program: Command, bind: Bind): void {
  const cmd = program.command('train').description('(not wired yet)');
  bind(cmd, async () => {
    throw new NotAvailableError('train is not wired yet');
  });
}
