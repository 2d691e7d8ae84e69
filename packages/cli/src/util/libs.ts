// Loads a call from one of the @diffli2d libraries at run time. The CLI starts fast
// (no tfjs until a command needs it), and a library that lacks a call gives a clear
// NotAvailableError instead of a crash.
import { NotAvailableError } from '../errors';

export async function loadModule(pkg: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pkg)) as Record<string, unknown>;
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new NotAvailableError(`${pkg} could not be loaded (${reason}); is it installed and built?`);
  }
}

export async function loadExport<T>(pkg: string, name: string, purpose: string): Promise<T> {
  const mod = await loadModule(pkg);
  const value = mod[name];
  if (value === undefined) {
    const version = typeof mod.VERSION === 'string' ? ` ${mod.VERSION}` : '';
    throw new NotAvailableError(`${purpose} needs ${name} from ${pkg}, which this installed version${version} does not provide yet`);
  }
  return value as T;
}
