// tf.profile kernel records summed by a key, slowest first: the table the benches print.
// kernelTable(profile.kernels, (k) => k.name) → [{ name, ms, calls }]
export function kernelTable(kernels, key = (k) => k.name) {
  const rows = new Map();
  for (const k of kernels) {
    const name = key(k);
    const e = rows.get(name) ?? { ms: 0, calls: 0 };
    e.ms += k.kernelTimeMs;
    e.calls += 1;
    rows.set(name, e);
  }
  return [...rows].sort((a, b) => b[1].ms - a[1].ms).map(([name, e]) => ({ name, ms: +e.ms.toFixed(1), calls: e.calls }));
}

/** The records of one kernel by their input shapes: [{ shapes, ms, calls }]. */
export function byInputShapes(kernels, kernelName) {
  return kernelTable(
    kernels.filter((k) => k.name === kernelName),
    (k) => JSON.stringify(k.inputShapes),
  ).map(({ name, ...rest }) => ({ shapes: name, ...rest }));
}
