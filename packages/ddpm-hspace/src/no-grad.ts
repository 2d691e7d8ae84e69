// Runs a computation with tfjs's gradient tape switched off, so that nothing inside is
// recorded even when the caller is inside tf.grad / variableGrads (the frozen UNet must
// never enter the dehazing network's backward pass, nor hold its activations for it).
import * as tf from '@tensorflow/tfjs-core';

interface EngineState {
  gradientDepth: number;
}

export function withoutGradients<T>(f: () => T): T {
  const state = (tf.engine() as unknown as { state: EngineState }).state;
  const saved = state.gradientDepth;
  state.gradientDepth = 0;
  try {
    return f();
  } finally {
    state.gradientDepth = saved;
  }
}

/** Whether tfjs is recording the ops run now for a backward pass (inside tf.grad / variableGrads, outside kernels). */
export function recordingGradients(): boolean {
  return (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();
}
