import { knnAccuracy, silhouette } from '../src/probe/separation';
import { conditionalAffinities, squaredDistances, tsne } from '../src/probe/tsne';
import { seededRandom } from '../src/util/random';

function clusters(perCluster: number, dims: number, gap: number, seed: number): { points: Float64Array; labels: number[] } {
  const rng = seededRandom(seed);
  const n = perCluster * 2;
  const points = new Float64Array(n * dims);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i < perCluster ? 0 : 1;
    labels.push(label);
    for (let k = 0; k < dims; k++) points[i * dims + k] = rng.normal() + (k === 0 ? label * gap : 0);
  }
  return { points, labels };
}

describe('t-SNE and separation scores', () => {
  it('calibrates each row of P to the requested perplexity (entropy = log perplexity)', () => {
    const { points } = clusters(20, 5, 3, 1);
    const n = 40;
    const p = conditionalAffinities(squaredDistances(points, n, 5), n, 10);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      let entropy = 0;
      for (let j = 0; j < n; j++) {
        const v = p[i * n + j]!;
        sum += v;
        if (v > 0) entropy -= v * Math.log(v);
      }
      expect(sum).toBeCloseTo(1, 10);
      expect(entropy).toBeCloseTo(Math.log(10), 4);
    }
  });

  it('silhouette and k-NN accuracy match hand-computed values on a tiny example', () => {
    // points on a line: 0, 1 (label 0) and 10, 12 (label 1)
    const xs = [0, 1, 10, 12];
    const d2 = squaredDistances(Float64Array.from(xs), 4, 1);
    const labels = [0, 0, 1, 1];
    // s(0): a=1, b=(10+12)/2=11 → 10/11; s(1): a=1, b=(9+11)/2=10 → 9/10
    // s(2): a=2, b=(10+9)/2=9.5 → 7.5/9.5; s(3): a=2, b=(12+11)/2=11.5 → 9.5/11.5
    const expected = (10 / 11 + 9 / 10 + 7.5 / 9.5 + 9.5 / 11.5) / 4;
    expect(silhouette(d2, labels)).toBeCloseTo(expected, 12);
    expect(knnAccuracy(d2, labels, 1)).toBe(1);
    // with k = 3 every point's neighbours are 1 own + 2 other → all wrong
    expect(knnAccuracy(d2, labels, 3)).toBe(0);
  });

  it('keeps well-separated clusters apart in 2-D and mixes nothing up; same seed, same map', () => {
    const { points, labels } = clusters(25, 10, 12, 2);
    const y = tsne(points, 50, 10, { perplexity: 10, iterations: 400, seed: 4 });
    expect(silhouette(squaredDistances(y, 50, 2), labels)).toBeGreaterThan(0.5);
    expect(knnAccuracy(squaredDistances(y, 50, 2), labels, 5)).toBe(1);
    expect(Array.from(tsne(points, 50, 10, { perplexity: 10, iterations: 400, seed: 4 }))).toEqual(Array.from(y));
    // overlapping clusters score near 0
    const mixed = clusters(25, 10, 0, 3);
    expect(Math.abs(silhouette(squaredDistances(mixed.points, 50, 10), mixed.labels))).toBeLessThan(0.1);
  });
});
