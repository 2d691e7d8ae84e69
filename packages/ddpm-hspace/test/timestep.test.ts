// timestep_embedding: the frequency tables replay torch's float32 + SLEEF arithmetic bit for bit;
// temb_sin matches the golden to ≤ 1e-6 (measured ≤ 6e-8).
import { timestepEmbedding, timestepFrequencies } from '../src';
import { IO, SCHEDULE, expectClose, goldenArray } from './golden';

describe('timestep embedding', () => {
  it.each([32, 256])('frequencies for dim %i equal torch float32 exactly', (dim) => {
    const ref = goldenArray(SCHEDULE, `temb_freqs_dim${dim}`).data as Float32Array;
    expect(Array.from(timestepFrequencies(dim))).toEqual(Array.from(ref));
  });

  it.each(['a', 'b'])('case %s: temb_sin within 1e-6 (cos first, then sin)', (c) => {
    const t = Array.from(goldenArray(IO, `${c}.t`).data as BigInt64Array, Number);
    const ref = goldenArray(IO, `${c}.temb_sin`).data as Float32Array;
    const maxAbs = expectClose('temb_sin', timestepEmbedding(t, 32), ref, 1e-6);
    expect(maxAbs).toBeLessThanOrEqual(1e-7);
  });

  it('is cos first: t = 0 gives ones then zeros', () => {
    const e = timestepEmbedding([0], 8);
    expect(Array.from(e)).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
  });
});
