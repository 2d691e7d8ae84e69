// The command tree. Each command lives in src/commands/<name>.ts and only describes its
// options; this file wires global options, output and error handling around them.
import { Command, CommanderError } from 'commander';
import { CommandContext, parseGlobalOptions, type CommandResult, type Streams } from './context';
import { exitCodeOf, oneLine } from './errors';
import { VERSION } from './version';
import { registerBench } from './commands/bench';
import { registerConvert } from './commands/convert';
import { registerData } from './commands/data';
import { registerDehaze } from './commands/dehaze';
import { registerEval } from './commands/eval';
import { registerHspace } from './commands/hspace';
import { registerInfo } from './commands/info';
import { registerTrain } from './commands/train';

/** The body of a command: gets its positional arguments, its own options and the context. */
export type CommandBody = (args: unknown[], options: Record<string, unknown>, ctx: CommandContext) => Promise<CommandResult>;

/** Binds a body to a commander command; results and errors flow back through `state`. */
export type Bind = (command: Command, body: CommandBody) => Command;

interface RunState {
  result?: CommandResult;
  ctx?: CommandContext;
  /** e.g. 'diffli2d data check', for error messages */
  commandPath?: string;
}

export function buildProgram(streams: Streams, state: RunState = {}): Command {
  const program = new Command('diffli2d');
  program
    .description('DiffLI2D.js: image dehazing guided by the semantic latent space (h-space) of a diffusion model')
    .version(VERSION, '-V, --version')
    .option('--backend <name>', 'tfjs backend: auto, tensorflow (tfjs-node[-gpu]), webgpu, wasm, cpu, or an order like webgpu,wasm', 'auto')
    .option('--seed <n>', 'seed for every random choice (crops, noise, t-SNE start)', '0')
    .option('--json', 'print exactly one JSON document on stdout (notes and progress go to stderr)')
    .option('-q, --quiet', 'no progress or notes on stderr')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => streams.stdout.write(s),
      writeErr: (s) => streams.stderr.write(s),
      // commander's own errors (unknown option, missing argument) as one line
      outputError: (s, write) => write(`diffli2d: ${oneLine(s.replace(/^error: /, ''))}\n`),
    })
    .addHelpText(
      'after',
      `
Examples:
  $ diffli2d dehaze photo.jpg -o out/ --method dcp
  $ diffli2d eval --data ../shared/data/sots-indoor --identity --json
  $ diffli2d data check ../shared/data/sots-indoor
  $ diffli2d train --config train.yaml
  $ diffli2d <command> --help     (options and examples of one command)

Exit status: 0 on success, 1 on bad files or a failed run, 2 on bad arguments,
3 when this build cannot do what was asked (e.g. no shipped default model yet).
Set DIFFLI2D_DEBUG=1 to see stack traces.`,
    );

  const bind: Bind = (command, body) =>
    command.action(async (...raw: unknown[]) => {
      const cmd = raw[raw.length - 1] as Command;
      const options = raw[raw.length - 2] as Record<string, unknown>;
      const args = raw.slice(0, -2);
      const ctx = new CommandContext(parseGlobalOptions(cmd.optsWithGlobals()), streams);
      state.ctx = ctx;
      state.commandPath = commandPath(cmd);
      state.result = await body(args, options, ctx);
    });

  registerDehaze(program, bind);
  registerEval(program, bind);
  registerTrain(program, bind);
  registerConvert(program, bind);
  registerData(program, bind);
  registerHspace(program, bind);
  registerBench(program, bind);
  registerInfo(program, bind);
  return program;
}

/** Runs one command line (without the `node diffli2d` prefix) and returns the exit code. */
export async function runCli(argv: string[], streams: Streams = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const state: RunState = {};
  const program = buildProgram(streams, state);
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return 2;
    }
    await program.parseAsync(argv, { from: 'user' });
    const result = state.result;
    if (result) {
      if (state.ctx?.options.json) streams.stdout.write(`${JSON.stringify(result.json, null, 2)}\n`);
      else if (result.text) streams.stdout.write(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
    }
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version end here too, with exit code 0; commander already printed
      return err.exitCode === 0 ? 0 : 2;
    }
    const command = state.commandPath ?? 'diffli2d';
    streams.stderr.write(`${command}: ${oneLine(err)}\n`);
    if (process.env.DIFFLI2D_DEBUG === '1' && err instanceof Error && err.stack) streams.stderr.write(`${err.stack}\n`);
    return exitCodeOf(err);
  }
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
