#!/usr/bin/env node
import { runCli } from './program';

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // runCli catches everything it knows about; this is a last resort
    process.stderr.write(`diffli2d: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
