import { chooseBackend } from '../backend';
import type { RgbaImage } from '../image-io';
import { readRecipe } from '@diffli2d/diffli2d';
import { fetchWeights } from '../model-store';
import { buildPipeline, type Pipeline } from './pipeline';
import { rgbaToTensor, tensorToRgba } from './pixels';
import type { DehazeOptions, DehazeOutput, EngineOptions, EngineReady, ModelInfo, Progress } from './types';

/** The depth network's file name, beside the network file. */
export const DEPTH_FILE = 'depth.safetensors';

/** Whether the network file's recipe asks for depth refinement (an unreadable recipe is buildPipeline's error to name). */
function recipeRefines(networkBytes: Uint8Array, networkUrl: string): boolean {
  try {
    return readRecipe(networkBytes, networkUrl).refine === 'depth';
  } catch {
    return false;
  }
}

export class Engine {
  private pipeline: Pipeline | null = null;
  private info: ModelInfo | null = null;

  private constructor(
    readonly options: EngineOptions,
    readonly ready: EngineReady,
  ) {}

  static async start(options: EngineOptions): Promise<Engine> {
    const ready = await chooseBackend(options.backends);
    return new Engine(options, ready);
  }

  /** Downloads (or reads from Cache Storage) both files and builds the model, once. */
  async loadModel(onProgress: (p: Progress) => void): Promise<ModelInfo> {
    if (this.info) return this.info;
    const { priorUrl, networkUrl, cache } = this.options;
    // One 'weights' bar for both files: progress is the sum of their bytes.
    const seen = new Map<string, { loaded: number; total: number | null }>();
    const report = () => {
      const parts = [...seen.values()];
      const total = parts.length >= 2 && parts.every((p) => p.total !== null) ? parts.reduce((a, p) => a + p.total!, 0) : null;
      onProgress({ stage: 'weights', done: parts.reduce((a, p) => a + p.loaded, 0), total });
    };
    const fetchOne = (url: string) =>
      fetchWeights(url, {
        cache,
        onProgress: (p) => {
          seen.set(url, { loaded: p.loaded, total: p.total });
          report();
        },
      });
    const [priorBytes, networkBytes] = await Promise.all([fetchOne(priorUrl), fetchOne(networkUrl)]);
    // A recipe that refines with a depth network (the shipped default's) names depth.safetensors beside the network.
    let depth: { bytes: Uint8Array; url: string } | undefined;
    if (recipeRefines(networkBytes, networkUrl)) {
      const url = new URL(DEPTH_FILE, networkUrl).href;
      depth = { bytes: await fetchOne(url), url };
    }
    const bytes = priorBytes.length + networkBytes.length + (depth?.bytes.length ?? 0);
    onProgress({ stage: 'weights', done: bytes, total: bytes });
    this.pipeline = await buildPipeline(priorBytes, networkBytes, { priorUrl, networkUrl, ...(depth ? { depthUrl: depth.url } : {}) }, depth?.bytes);
    this.info = { ...this.pipeline.info, priorUrl, networkUrl, ...(depth ? { depthUrl: depth.url } : {}) };
    return this.info;
  }

  async dehaze(image: RgbaImage, opts: DehazeOptions, onProgress: (p: Progress) => void): Promise<DehazeOutput> {
    if (!this.pipeline) await this.loadModel(onProgress);
    const started = performance.now();
    const input = rgbaToTensor(image);
    try {
      const { output, timings, tiles } = await this.pipeline!.run(input, opts, onProgress);
      try {
        const pixels = await tensorToRgba(output);
        return { image: pixels, tiles, timings: { ...timings, totalMs: performance.now() - started } };
      } finally {
        output.dispose();
      }
    } finally {
      input.dispose();
    }
  }

  dispose(): void {
    this.pipeline?.dispose();
    this.pipeline = null;
    this.info = null;
  }
}
