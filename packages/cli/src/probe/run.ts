// `hspace probe`: the paper's Sec. 4.1 analysis. For hazy/clean pairs, h-space features at
// each timestep t (and raw pixels for comparison) are embedded with t-SNE and scored for how
// well hazy and clean separate (silhouette and 5-NN accuracy in the feature space itself, and
// silhouette of the 2-D map). Maps are written as SVG and PNG.
import * as path from 'node:path';
import sharp from 'sharp';
import type { CommandContext } from '../context';
import { UsageError } from '../errors';
import { loadPairs } from '../eval/pairs';
import { writeFileAtomic } from '../io/images';
import { svgToPng } from '../plot/curves';
import { scatterSvg } from '../plot/scatter';
import { loadPrior } from '../util/prior';
import { prepareBackend } from '../util/backend';
import { loadTf } from '../util/tf';
import { knnAccuracy, silhouette } from './separation';
import { squaredDistances, tsne } from './tsne';

export interface ProbeOptions {
  data: string;
  prior: string;
  priorConfig?: string;
  timesteps: number[];
  size: number;
  limit: number;
  output: string;
  perplexity: number;
  iterations: number;
  layout?: string;
  dataset?: string;
}

export interface ProbeScore {
  t: number | 'image';
  silhouette: number;
  knnAccuracy: number;
  tsneSilhouette: number;
  svg: string;
  png: string;
}

/** Square centre crop resized to size×size, as float32 HWC in [0,1]. */
async function loadSquare(file: string, size: number): Promise<Float32Array> {
  const { data } = await sharp(file).removeAlpha().resize(size, size, { fit: 'cover' }).raw().toBuffer({ resolveWithObject: true });
  return Float32Array.from(data, (v) => v / 255);
}

export async function runProbe(o: ProbeOptions, ctx: CommandContext): Promise<{ scores: ProbeScore[]; pairs: number; points: number }> {
  const { pairs } = await loadPairs({ data: o.data, layout: o.layout, dataset: o.dataset, limit: o.limit });
  const n = pairs.length * 2;
  if (n < 6) throw new UsageError(`hspace probe needs at least 3 pairs, ${o.data} gave ${pairs.length}`);
  await prepareBackend(ctx);
  const tf = await loadTf();
  const source = await loadPrior(o.prior, o.priorConfig);
  if (o.size % source.multiple !== 0) throw new UsageError(`--size ${o.size} must be a multiple of ${source.multiple} for this UNet`);
  // points 0..P-1 are hazy, P..2P-1 their clean images
  const images = new Float32Array(n * o.size * o.size * 3);
  const pixels = o.size * o.size * 3;
  for (const [i, p] of pairs.entries()) {
    images.set(await loadSquare(p.hazy, o.size), i * pixels);
    images.set(await loadSquare(p.clean, o.size), (pairs.length + i) * pixels);
  }
  const labels = [...Array(n).keys()].map((i) => (i < pairs.length ? 0 : 1));
  const links = pairs.map((_, i) => [i, pairs.length + i] as [number, number]);

  const score = async (t: number | 'image', features: Float32Array, dims: number): Promise<ProbeScore> => {
    const dist2 = squaredDistances(features, n, dims);
    const embedding = tsne(features, n, dims, { perplexity: o.perplexity, iterations: o.iterations, seed: ctx.options.seed });
    const name = t === 'image' ? 'tsne-image' : `tsne-t${String(t).padStart(4, '0')}`;
    const svg = scatterSvg({ title: t === 'image' ? 'image space (pixels)' : `h-space, t = ${t}`, points: embedding, labels, pairs: links });
    const svgFile = path.join(o.output, `${name}.svg`);
    const pngFile = path.join(o.output, `${name}.png`);
    await writeFileAtomic(svgFile, svg);
    await writeFileAtomic(pngFile, await svgToPng(svg));
    const result = {
      t,
      silhouette: silhouette(dist2, labels),
      knnAccuracy: knnAccuracy(dist2, labels, 5),
      tsneSilhouette: silhouette(squaredDistances(embedding, n, 2), labels),
      svg: svgFile,
      png: pngFile,
    };
    ctx.note(
      `${t === 'image' ? 'image space' : `t = ${t}`}: silhouette ${result.silhouette.toFixed(3)}, 5-NN accuracy ${result.knnAccuracy.toFixed(3)}, t-SNE silhouette ${result.tsneSilhouette.toFixed(3)}`,
    );
    return result;
  };

  const scores: ProbeScore[] = [];
  try {
    scores.push(await score('image', images, pixels));
    const batch = tf.tensor4d(images, [n, o.size, o.size, 3]);
    try {
      for (const t of o.timesteps) {
        const [h] = source.extract(batch, [t], ctx.options.seed);
        const features = (await h!.data()) as Float32Array;
        const dims = h!.size / n;
        h!.dispose();
        scores.push(await score(t, features, dims));
      }
    } finally {
      batch.dispose();
    }
  } finally {
    source.dispose();
  }
  return { scores, pairs: pairs.length, points: n };
}
