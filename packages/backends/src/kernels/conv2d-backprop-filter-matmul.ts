// Filter gradient as matMuls. For each filter tap,
// dW[kh, kw]ᵀ = (dy shifted to the tap's window)ᵀ · (pixels of the tap's stride phase), see
// tap-rows.ts. Taps of one phase are stacked into one [taps·out, N]·[N, in] matMul (x is
// the right operand, which wasm's matMul handles far better than a large left one), in
// chunks that bound the stacked gradient's memory. Faster than the conv formulation when
// the batch is small and the input has many channels (see conv2d-backprop-filter.ts).
import * as tf from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './geometry';
import { channelMajorRuns, shiftRuns, tapLayout } from './tap-rows';

/** Upper bound on stacked shifted-gradient elements per matMul (64 MiB of float32). */
const MAX_STACK_ELEMENTS = 1 << 24;

/** x, dy NHWC; returns the [kh, kw, in, out] filter gradient. */
export function filterGradByMatMul(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry, filterShape: [number, number, number, number]): tf.Tensor4D {
  const [kh, kw, inChannels, outChannels] = filterShape;
  const layout = tapLayout(x, g);
  const pixels = layout.pixelRows();
  const runs = channelMajorRuns(dy, layout.width); // [out, B, run]
  const rowsPerTap = g.batch * layout.length;
  const chunk = Math.max(1, Math.floor(MAX_STACK_ELEMENTS / (outChannels * rowsPerTap)));
  const perTap: tf.Tensor2D[] = []; // [in, out], indexed by kh * kw + kw
  for (let p = 0; p < layout.phases; p++) {
    const taps: [number, number][] = [];
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) if (layout.phase(i, j) === p) taps.push([i, j]);
    for (let first = 0; first < taps.length; first += chunk) {
      const group = taps.slice(first, first + chunk);
      const results = tf.tidy(() => {
        const stacked = tf.concat(
          group.map(([i, j]) => tf.reshape(shiftRuns(runs, layout.start(i, j), layout.length), [outChannels, rowsPerTap])),
          0,
        );
        const product = tf.matMul(stacked as tf.Tensor2D, pixels[p]); // [group·out, in]
        return tf.unstack(tf.transpose(tf.reshape(product, [group.length, outChannels, inChannels]), [0, 2, 1])) as tf.Tensor2D[];
      });
      group.forEach(([i, j], n) => (perTap[i * kw + j] = results[n]));
    }
  }
  return tf.reshape(tf.stack(perTap), filterShape);
}
