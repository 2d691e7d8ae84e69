// Best wall seconds of f over `reps` timed runs after one warm-up. f returns the tensors it made;
// each run waits for their data (so asynchronous backends finish) and disposes them.
export async function bestSeconds(tf, f, reps) {
  const runs = [];
  for (let i = 0; i <= reps; i++) {
    const t0 = performance.now();
    const outs = f();
    for (const t of outs) await t.data();
    runs.push((performance.now() - t0) / 1000);
    tf.dispose(outs);
  }
  return +Math.min(...runs.slice(1)).toFixed(3);
}
