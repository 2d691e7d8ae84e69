// The SquaredDifference gradient fix (tfjs 4.22's ignores broadcasting) against hand-derived
// values, and the names the training entry documents.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import * as training from '../src/training';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('registerBroadcastingSquaredDifferenceGradient', () => {
  it('gives d/db Σ(a−b)² = −2·Σ_broadcast(a−b) with b broadcast over an axis', () => {
    training.registerBroadcastingSquaredDifferenceGradient();
    const a = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [2, 3, 2]);
    const b = tf.tensor3d([0.5, 1, 2, 3], [2, 1, 2]);
    const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.squaredDifference(x, y)))([a, b]);
    expect(db!.shape).toEqual([2, 1, 2]);
    // b[0,0,0]=0.5 meets a = 1, 3, 5 → −2·((1−.5)+(3−.5)+(5−.5)) = −15; b[0,0,1]=1 meets 2,4,6 → −18;
    // b[1,0,0]=2 meets 7,9,11 → −42; b[1,0,1]=3 meets 8,10,12 → −42.
    expect(Array.from(db!.dataSync())).toEqual([-15, -18, -42, -42]);
    expect(Array.from(da!.dataSync())).toEqual([1, 2, 5, 6, 9, 10, 10, 10, 14, 14, 18, 18]);
    tf.dispose([a, b, da!, db!]);
  });
});

it('the training entry exports what the README documents', () => {
  for (const name of [
    'DdpmTrainer',
    'DDPM_CHECKPOINT_FORMAT',
    'Adam',
    'ADAM_DEFAULTS',
    'WeightEma',
    'epsilonLoss',
    'predictEpsilon',
    'lossPerTimestep',
    'sampleImages',
    'ddimSample',
    'ddpmSample',
    'ddimTimesteps',
    'initAdmWeights',
    'internalToPyTorch',
    'readUNetTensors',
    'registerBroadcastingSquaredDifferenceGradient',
    'DdpmTrainingError',
    'NonFiniteLossError',
    'DdpmCheckpointError',
  ]) {
    expect(training).toHaveProperty(name);
  }
});
