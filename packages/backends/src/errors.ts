/** Base class of every error this package throws, so callers can catch them as one family. */
export class BackendsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A gradient kernel got inputs or attributes it cannot handle (message names the kernel and shape). */
export class KernelArgumentError extends BackendsError {}

/** No backend on the preference list could be initialised, or a named backend is unknown. */
export class BackendUnavailableError extends BackendsError {}

/** The multi-threaded wasm build could not be started in Node. */
export class WasmThreadsError extends BackendsError {}
