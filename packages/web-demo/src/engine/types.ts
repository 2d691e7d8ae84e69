// Shapes shared by the page, the worker and the engine. Plain data only: everything here
// crosses postMessage.
import type { SelfEnsemble } from '@diffli2d/diffli2d';
import type { RgbaImage } from '../image-io';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** The steps a dehaze goes through, in order; the UI shows one progress bar per step. */
export type Stage = 'weights' | 'hspace-t1' | 'hspace-t2' | 'network';
export const STAGES: readonly Stage[] = ['weights', 'hspace-t1', 'hspace-t2', 'network'];

export interface Progress {
  stage: Stage;
  /** Units done so far: bytes for 'weights', tiles otherwise. */
  done: number;
  /** Units in all, or null when unknown (a server without Content-Length). */
  total: number | null;
}

/** What the UI says about the model in use. */
export interface ModelInfo {
  /** One line: which model this is (from the files' metadata), e.g. "random test model — untrained". */
  title: string;
  priorUrl: string;
  networkUrl: string;
  /** The depth network of depth refinement, when the recipe asks for it. */
  depthUrl?: string;
  /** Trainable parameters of the dehazing network. */
  networkParams: number;
  /** Parameters of the diffusion prior's encoder (time_embed + input_blocks + middle_block). */
  priorParams: number;
  t1: number;
  t2: number;
  /** Metadata keys of the network file, verbatim (for the "details" box). */
  metadata: Record<string, string>;
}

export interface EngineOptions {
  priorUrl: string;
  networkUrl: string;
  /** Backends to try, best first. */
  backends: BackendName[];
  /** Keep downloaded weights in Cache Storage (default true). */
  cache: boolean;
}

export interface DehazeOptions {
  /** Largest tile side in pixels (the image is cut into overlapping tiles above this). */
  tileSize?: number;
  /** Self-ensemble (dehaze()'s `ensemble`): none | flip (2 passes) | dihedral (8); default: the model's recipe, else DEFAULT_ENSEMBLE. */
  ensemble?: SelfEnsemble;
}

export interface Timings {
  /** Milliseconds per stage summed over tiles, and wall time for the whole call. */
  hspaceT1Ms: number;
  hspaceT2Ms: number;
  networkMs: number;
  totalMs: number;
}

export interface DehazeOutput {
  image: RgbaImage;
  timings: Timings;
  /** Tile passes run, over all self-ensemble views (a 2-tile image with 'flip' → 4). */
  tiles: number;
}

export interface EngineReady {
  backend: BackendName;
  /** What the backend says about itself (GPU adapter, WebGL version, wasm threads). */
  detail: string;
  /** Backends tried first and why each was refused. */
  refused: { name: BackendName; reason: string }[];
}
