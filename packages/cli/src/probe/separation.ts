// How well two labelled groups (hazy vs clean) separate, from pairwise distances:
// the mean silhouette coefficient (Rousseeuw 1987; 1 = far apart, 0 = mixed, <0 = wrong
// side) and leave-one-out k-nearest-neighbour accuracy (0.5 = chance for balanced groups).

export function silhouette(dist2: Float64Array, labels: readonly number[]): number {
  const n = labels.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const sums = new Map<number, { sum: number; count: number }>();
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const e = sums.get(labels[j]!) ?? { sum: 0, count: 0 };
      e.sum += Math.sqrt(dist2[i * n + j]!);
      e.count++;
      sums.set(labels[j]!, e);
    }
    const own = sums.get(labels[i]!);
    if (!own || own.count === 0) continue; // a singleton cluster scores 0
    const a = own.sum / own.count;
    let b = Infinity;
    for (const [label, e] of sums) if (label !== labels[i]) b = Math.min(b, e.sum / e.count);
    const s = Math.max(a, b) > 0 ? (b - a) / Math.max(a, b) : 0;
    total += s;
  }
  return total / n;
}

export function knnAccuracy(dist2: Float64Array, labels: readonly number[], k: number): number {
  const n = labels.length;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const order = [...Array(n).keys()].filter((j) => j !== i).sort((x, y) => dist2[i * n + x]! - dist2[i * n + y]! || x - y);
    const votes = new Map<number, number>();
    for (const j of order.slice(0, k)) votes.set(labels[j]!, (votes.get(labels[j]!) ?? 0) + 1);
    let best = labels[order[0]!]!;
    for (const [label, v] of votes) if (v > (votes.get(best) ?? 0)) best = label;
    if (best === labels[i]) correct++;
  }
  return correct / n;
}
