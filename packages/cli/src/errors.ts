// Typed errors the CLI turns into one-line messages and exit codes. Library errors
// (typed Error subclasses from the @diffli2d packages) are printed the same way.

/** Base class: a failure the user can act on; printed without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad command line: wrong option values, missing arguments, conflicting flags. Exit 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** A file or folder the user named is missing, unreadable or not what was expected. Exit 1. */
export class InputError extends CliError {
  constructor(message: string) {
    super(message, 1);
  }
}

/** The command would replace something the user owns without --overwrite. Exit 1. */
export class OverwriteError extends CliError {
  constructor(message: string) {
    super(message, 1);
  }
}

/** A feature this build cannot provide (no shipped model yet, a library without the call). Exit 3. */
export class NotAvailableError extends CliError {
  constructor(message: string) {
    super(message, 3);
  }
}

/** One line for stderr: the message with newlines folded, prefixed by the command. */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\n\s*/g, ' ').trim() || (err instanceof Error ? err.name : 'unknown error');
}

export function exitCodeOf(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  return 1;
}

/** A check ran and found problems (e.g. `data check --strict`). Exit 1. */
export class CheckFailedError extends CliError {
  constructor(message: string) {
    super(message, 1);
  }
}
