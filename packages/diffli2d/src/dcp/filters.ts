// Image filters on plain arrays (single channel, row-major, width × height), used by the
// dark channel prior. All are O(1) per pixel in the window size.

/**
 * Minimum over a (2r+1)×(2r+1) window clipped at the borders (so border pixels see only
 * real pixels), done as two 1-D passes with a monotonic deque.
 */
export function minFilter(src: Float32Array, width: number, height: number, radius: number): Float32Array {
  const tmp = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  const queue = new Int32Array(Math.max(width, height));
  for (let y = 0; y < height; y++) slidingMin(src, tmp, y * width, 1, width, radius, queue);
  for (let x = 0; x < width; x++) slidingMin(tmp, out, x, width, height, radius, queue);
  return out;
}

function slidingMin(src: Float32Array, dst: Float32Array, offset: number, stride: number, n: number, radius: number, queue: Int32Array): void {
  // queue holds positions whose values increase from head to tail
  let head = 0;
  let tail = 0;
  let next = 0; // next position to enter the window
  for (let i = 0; i < n; i++) {
    const last = Math.min(n - 1, i + radius);
    for (; next <= last; next++) {
      const v = src[offset + next * stride]!;
      while (tail > head && src[offset + queue[tail - 1]! * stride]! >= v) tail--;
      queue[tail++] = next;
    }
    while (queue[head]! < i - radius) head++;
    dst[offset + i * stride] = src[offset + queue[head]! * stride]!;
  }
}

/**
 * Mean over a (2r+1)×(2r+1) window clipped at the borders (divided by the number of
 * pixels actually inside), from a float64 integral image.
 */
export function boxMean(src: ArrayLike<number>, width: number, height: number, radius: number): Float64Array {
  const w1 = width + 1;
  const integral = new Float64Array(w1 * (height + 1));
  for (let y = 0; y < height; y++) {
    let rowSum = 0;
    for (let x = 0; x < width; x++) {
      rowSum += src[y * width + x]!;
      integral[(y + 1) * w1 + x + 1] = integral[y * w1 + x + 1]! + rowSum;
    }
  }
  const out = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    const y0 = Math.max(0, y - radius);
    const y1 = Math.min(height, y + radius + 1);
    for (let x = 0; x < width; x++) {
      const x0 = Math.max(0, x - radius);
      const x1 = Math.min(width, x + radius + 1);
      const sum = integral[y1 * w1 + x1]! - integral[y0 * w1 + x1]! - integral[y1 * w1 + x0]! + integral[y0 * w1 + x0]!;
      out[y * width + x] = sum / ((y1 - y0) * (x1 - x0));
    }
  }
  return out;
}

/**
 * He et al.'s guided filter with a single-channel guide: edge-preserving smoothing of
 * `input` that follows the edges of `guide` (local linear model q = a·I + b).
 */
export function guidedFilter(guide: ArrayLike<number>, input: ArrayLike<number>, width: number, height: number, radius: number, eps: number): Float64Array {
  const n = width * height;
  const guideSq = new Float64Array(n);
  const guideInput = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    guideSq[i] = guide[i]! * guide[i]!;
    guideInput[i] = guide[i]! * input[i]!;
  }
  const meanI = boxMean(guide, width, height, radius);
  const meanP = boxMean(input, width, height, radius);
  const corrI = boxMean(guideSq, width, height, radius);
  const corrIP = boxMean(guideInput, width, height, radius);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const varI = corrI[i]! - meanI[i]! * meanI[i]!;
    const covIP = corrIP[i]! - meanI[i]! * meanP[i]!;
    a[i] = covIP / (varI + eps);
    b[i] = meanP[i]! - a[i]! * meanI[i]!;
  }
  const meanA = boxMean(a, width, height, radius);
  const meanB = boxMean(b, width, height, radius);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = meanA[i]! * guide[i]! + meanB[i]!;
  return out;
}
