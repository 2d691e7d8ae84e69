// Messages between the page (DehazerClient) and the worker that runs TensorFlow.js.
import type { RgbaImage } from '../image-io';
import type { DehazeOptions, DehazeOutput, EngineOptions, EngineReady, ModelInfo, Progress } from './types';

export type Request =
  | { id: number; type: 'start'; options: EngineOptions }
  | { id: number; type: 'load' }
  | { id: number; type: 'dehaze'; image: RgbaImage; options: DehazeOptions };

export type Reply =
  | { id: number; type: 'progress'; progress: Progress }
  | { id: number; type: 'ok'; value: EngineReady | ModelInfo | DehazeOutput }
  | { id: number; type: 'error'; name: string; message: string };

/** A request before the transport numbers it. */
export type RequestBody = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;
