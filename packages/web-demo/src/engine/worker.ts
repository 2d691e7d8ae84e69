// The worker: owns TensorFlow.js and the model, so a long dehaze never blocks the page.
import { Engine } from './engine';
import type { Reply, Request } from './protocol';
import type { Progress } from './types';

let engine: Engine | null = null;
// One request at a time, in arrival order: tfjs backends are not re-entrant.
let queue: Promise<void> = Promise.resolve();

const post = (reply: Reply, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(reply, transfer);

async function handle(req: Request): Promise<void> {
  const progress = (p: Progress) => post({ id: req.id, type: 'progress', progress: p });
  try {
    if (req.type === 'start') {
      engine = await Engine.start(req.options);
      post({ id: req.id, type: 'ok', value: engine.ready });
      return;
    }
    if (!engine) throw new Error(`worker got '${req.type}' before 'start'`);
    if (req.type === 'load') {
      post({ id: req.id, type: 'ok', value: await engine.loadModel(progress) });
    } else {
      const out = await engine.dehaze(req.image, req.options, progress);
      post({ id: req.id, type: 'ok', value: out }, [out.image.data.buffer]);
    }
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    post({ id: req.id, type: 'error', name: e.name, message: e.message });
  }
}

self.addEventListener('message', (event: MessageEvent<Request>) => {
  queue = queue.then(() => handle(event.data));
});
