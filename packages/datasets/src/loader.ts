// PairedLoader: seeded, resumable, prefetching batches of paired crops.
//
// Reproducibility: epoch e's order is a Fisher–Yates shuffle drawn from
// Xoshiro128(deriveSeed(seed, e, 0)); the item at position i of epoch e draws its crop / flips
// from Xoshiro128(deriveSeed(seed, e, 1, i)). Nothing depends on decode timing or on the tfjs
// backend, and the loader's whole position is { seed, epoch, batch } (getState / setState).
import { applyAugment, drawAugment, resizeBilinear, type AugmentOptions, type AugmentParams } from './augment';
import { DatasetOptionError, ImageSizeError } from './errors';
import type { RgbImage } from './image';
import { deriveSeed, Xoshiro128 } from './rng';

export type DecodeFn = (file: string) => Promise<RgbImage>;

export interface LoaderPair {
  hazy: string;
  clean: string;
  id?: string;
}

export interface PairedLoaderOptions {
  batchSize: number;
  /** Square crop side, or width × height. Omitted = whole images (all must then share one size per batch). */
  crop?: number | { width: number; height: number };
  /** Random horizontal flips; default true. */
  flipH?: boolean;
  /** Random vertical flips; default false. */
  flipV?: boolean;
  /** Random 90° rotations (needs a square crop); default false. */
  rot90?: boolean;
  /** Resize both images before cropping: a fixed size or a scale factor (bilinear). */
  resize?: { width: number; height: number } | { scale: number };
  /** Seed of every random choice; default 0. */
  seed?: number;
  /** Reshuffle every epoch; default true. */
  shuffle?: boolean;
  /** Drop the last incomplete batch of an epoch; default true. */
  dropLast?: boolean;
  /** Batches decoded ahead of the one being consumed; default 2. */
  prefetch?: number;
  /** Bytes of decoded full-size images kept in an LRU cache; default 0 (decode every time). */
  cacheBytes?: number;
}

export interface LoaderState {
  seed: number;
  epoch: number;
  /** Next batch index within the epoch. */
  batch: number;
}

export interface Sample {
  pair: LoaderPair;
  hazy: RgbImage;
  clean: RgbImage;
  params: AugmentParams;
}

/** One batch: NHWC float32 in [0,1], hazy and clean aligned. */
export interface Batch {
  hazy: Float32Array;
  clean: Float32Array;
  shape: [number, number, number, 3];
  ids: string[];
  epoch: number;
  batch: number;
}

export class PairedLoader implements AsyncIterable<Batch> {
  private readonly opts: Required<Pick<PairedLoaderOptions, 'batchSize' | 'seed' | 'shuffle' | 'dropLast' | 'prefetch' | 'cacheBytes'>>;
  private readonly augment: AugmentOptions;
  private state: LoaderState;
  private queue: { key: string; promise: Promise<Batch> }[] = [];
  private readonly cache = new Map<string, RgbImage>();
  private cachedBytes = 0;
  private orderCache: { epoch: number; order: number[] } | undefined;

  constructor(
    private readonly pairs: readonly LoaderPair[],
    private readonly decode: DecodeFn,
    private readonly options: PairedLoaderOptions,
  ) {
    const { batchSize } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new DatasetOptionError(`PairedLoader: batchSize must be a positive integer, got ${batchSize}`);
    if (pairs.length === 0) throw new DatasetOptionError('PairedLoader: no pairs given');
    const crop = typeof options.crop === 'number' ? { width: options.crop, height: options.crop } : options.crop;
    if (crop && !(Number.isInteger(crop.width) && Number.isInteger(crop.height) && crop.width > 0 && crop.height > 0)) {
      throw new DatasetOptionError(`PairedLoader: crop must be positive integers, got ${JSON.stringify(options.crop)}`);
    }
    if (options.rot90 && (!crop || crop.width !== crop.height))
      throw new DatasetOptionError('PairedLoader: rot90 needs a square crop (rotated non-square crops cannot share a batch)');
    this.augment = { crop, flipH: options.flipH ?? true, flipV: options.flipV ?? false, rot90: options.rot90 ?? false };
    this.opts = {
      batchSize,
      seed: (options.seed ?? 0) >>> 0,
      shuffle: options.shuffle ?? true,
      dropLast: options.dropLast ?? true,
      prefetch: Math.max(0, options.prefetch ?? 2),
      cacheBytes: options.cacheBytes ?? 0,
    };
    if (this.opts.dropLast && pairs.length < batchSize)
      throw new DatasetOptionError(`PairedLoader: ${pairs.length} pairs cannot fill one batch of ${batchSize} with dropLast`);
    this.state = { seed: this.opts.seed, epoch: 0, batch: 0 };
  }

  get batchesPerEpoch(): number {
    const n = this.pairs.length / this.opts.batchSize;
    return this.opts.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** Where the next `nextBatch()` will read from; save it with a checkpoint. */
  getState(): LoaderState {
    return { ...this.state };
  }

  /** Continue from a saved state (drops prefetched batches). */
  setState(state: LoaderState): void {
    if (!Number.isInteger(state.epoch) || state.epoch < 0 || !Number.isInteger(state.batch) || state.batch < 0 || state.batch > this.batchesPerEpoch) {
      throw new DatasetOptionError(`PairedLoader.setState: bad state ${JSON.stringify(state)} (batch must be in [0, ${this.batchesPerEpoch}])`);
    }
    this.state = { seed: state.seed >>> 0, epoch: state.epoch, batch: state.batch };
    this.opts.seed = this.state.seed;
    this.orderCache = undefined;
    this.dropQueue();
  }

  /** The pair indices of an epoch, in the order they are served. */
  epochOrder(epoch: number): number[] {
    if (this.orderCache?.epoch === epoch) return this.orderCache.order;
    const order = this.pairs.map((_, i) => i);
    if (this.opts.shuffle) new Xoshiro128(deriveSeed(this.opts.seed, epoch, 0)).shuffle(order);
    this.orderCache = { epoch, order };
    return order;
  }

  /** Decodes and augments the item at `position` of `epoch` (deterministic). */
  async sample(epoch: number, position: number): Promise<Sample> {
    const pair = this.pairs[this.epochOrder(epoch)[position]!]!;
    let [hazy, clean] = await Promise.all([this.load(pair.hazy), this.load(pair.clean)]);
    if (hazy.width !== clean.width || hazy.height !== clean.height) {
      throw new ImageSizeError(
        `pair ${pair.id ?? pair.hazy}: hazy ${pair.hazy} is ${hazy.width}x${hazy.height} but clean ${pair.clean} is ${clean.width}x${clean.height}`,
      );
    }
    const resize = this.options.resize;
    if (resize) {
      const [w, h] =
        'scale' in resize
          ? [Math.max(1, Math.round(hazy.width * resize.scale)), Math.max(1, Math.round(hazy.height * resize.scale))]
          : [resize.width, resize.height];
      hazy = resizeBilinear(hazy, w, h);
      clean = resizeBilinear(clean, w, h);
    }
    const rng = new Xoshiro128(deriveSeed(this.opts.seed, epoch, 1, position));
    let params: AugmentParams;
    try {
      params = drawAugment(rng, hazy.width, hazy.height, this.augment);
    } catch (err) {
      throw new ImageSizeError(`pair ${pair.id ?? pair.hazy} (${pair.hazy}): ${(err as Error).message}`);
    }
    return { pair, hazy: applyAugment(hazy, params), clean: applyAugment(clean, params), params };
  }

  /** The next batch; advances the state and keeps `prefetch` more batches decoding. */
  async nextBatch(): Promise<Batch> {
    const { epoch, batch } = this.state;
    this.fillQueue(1);
    const head = this.queue.shift()!;
    const result = await head.promise;
    this.state = batch + 1 >= this.batchesPerEpoch ? { seed: this.opts.seed, epoch: epoch + 1, batch: 0 } : { seed: this.opts.seed, epoch, batch: batch + 1 };
    this.fillQueue(this.opts.prefetch);
    return result;
  }

  /** Batches of the current epoch from the current position; the state moves to the next epoch. */
  async *epoch(): AsyncGenerator<Batch> {
    const e = this.state.epoch;
    while (this.state.epoch === e) yield await this.nextBatch();
  }

  /** Endless batches across epochs (reshuffled each epoch). */
  async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
    for (;;) yield await this.nextBatch();
  }

  /** Forget prefetched work (call when done with a loader that was not run to the end). */
  close(): void {
    this.dropQueue();
    this.cache.clear();
    this.cachedBytes = 0;
  }

  /** Makes sure the next `count` batches from the current state are queued (decoding). */
  private fillQueue(count: number): void {
    let { epoch, batch } = this.state;
    const wanted: [number, number][] = [];
    for (let k = 0; k < count; k++) {
      wanted.push([epoch, batch]);
      batch++;
      if (batch >= this.batchesPerEpoch) [epoch, batch] = [epoch + 1, 0];
    }
    const keys = wanted.map(([e, b]) => `${e}:${b}`);
    if (this.queue.length && keys.length && this.queue[0]!.key !== keys[0]) this.dropQueue();
    for (let k = this.queue.length; k < wanted.length; k++) {
      const [e, b] = wanted[k]!;
      const promise = this.assemble(e, b);
      promise.catch(() => undefined); // surfaced when awaited; never an unhandled rejection
      this.queue.push({ key: keys[k]!, promise });
    }
  }

  private dropQueue(): void {
    this.queue = [];
  }

  private async assemble(epoch: number, batch: number): Promise<Batch> {
    const start = batch * this.opts.batchSize;
    const end = Math.min(start + this.opts.batchSize, this.pairs.length);
    const samples = await Promise.all(Array.from({ length: end - start }, (_, i) => this.sample(epoch, start + i)));
    const first = samples[0]!;
    const { width, height } = first.hazy;
    for (const s of samples) {
      if (s.hazy.width !== width || s.hazy.height !== height) {
        throw new ImageSizeError(
          `batch ${batch} of epoch ${epoch}: ${s.pair.hazy} gives ${s.hazy.width}x${s.hazy.height} but ${first.pair.hazy} gives ${width}x${height}; set crop or resize so that a batch shares one size`,
        );
      }
    }
    const per = width * height * 3;
    const hazy = new Float32Array(per * samples.length);
    const clean = new Float32Array(per * samples.length);
    samples.forEach((s, i) => {
      hazy.set(s.hazy.data, i * per);
      clean.set(s.clean.data, i * per);
    });
    return { hazy, clean, shape: [samples.length, height, width, 3], ids: samples.map((s) => s.pair.id ?? s.pair.hazy), epoch, batch };
  }

  private async load(file: string): Promise<RgbImage> {
    const hit = this.cache.get(file);
    if (hit) {
      this.cache.delete(file); // re-insert: most recently used last
      this.cache.set(file, hit);
      return hit;
    }
    const image = await this.decode(file);
    const bytes = image.data.byteLength;
    if (bytes <= this.opts.cacheBytes) {
      this.cache.set(file, image);
      this.cachedBytes += bytes;
      for (const [key, value] of this.cache) {
        if (this.cachedBytes <= this.opts.cacheBytes) break;
        this.cache.delete(key);
        this.cachedBytes -= value.data.byteLength;
      }
    }
    return image;
  }
}
