// <diffli2d-dehaze>: the whole demo as one custom element, so any page can embed it.
// Attributes: model-url (folder with prior.safetensors + diffli2d.safetensors),
// backends ("webgpu,webgl,wasm,cpu"), tile-size (px), ensemble (none|flip|dihedral), no-cache, preload.
// Events: 'diffli2d-ready' {backend}, 'diffli2d-result' {result}, 'diffli2d-error' {message}.
// The host's data-state (starting|idle|loading|running|done|error) and data-backend
// mirror what the user sees.
import { createWebDehazer, type WebDehazer, type DehazeResult } from '../dehazer';
import type { SelfEnsemble } from '@diffli2d/diffli2d';
import type { BackendName, ModelInfo, Progress, Stage } from '../engine/types';
import { STAGES } from '../engine/types';
import { messageOf } from '../errors';
import { decodeImageFile, encodePng, paint, type RgbaImage } from '../image-io';
import { describeProgress, downloadName, formatMs, fractionOf, STAGE_LABELS } from './format';
import { STYLES } from './styles';

const TEMPLATE = `
<style>${STYLES}</style>
<div class="bar">
  <span>Backend: <span class="badge" part="backend">starting…</span> <span class="backend-detail muted"></span></span>
  <span class="model" part="model"></span>
</div>
<div class="drop" part="drop" tabindex="0" role="button" aria-label="Choose, drop or paste a hazy image">
  Drop a hazy photo here, paste one, or <button type="button">choose a file</button>
  <input type="file" accept="image/*" hidden>
</div>
<div class="message" role="alert" part="message"></div>
<div class="stages" part="stages"></div>
<div class="compare" part="compare">
  <canvas class="before"></canvas><canvas class="after"></canvas>
  <div class="divider"></div><span class="label before">hazy</span><span class="label after">dehazed</span>
</div>
<div class="controls">
  <label>Before / after <input type="range" class="split" min="0" max="100" value="50" aria-label="before/after split"></label>
  <a class="download" part="download" href="#" download>Download PNG</a>
</div>
<table class="timings" part="timings"></table>
<details><summary>Model details</summary><pre class="details"></pre></details>
`;

export class DehazeElement extends HTMLElement {
  static readonly elementName = 'diffli2d-dehaze';
  private readonly root: ShadowRoot;
  private dehazer: Promise<WebDehazer> | null = null;
  private busy = false;
  private wired = false;
  private downloadUrl: string | null = null;
  private readonly bars = new Map<Stage, { bar: HTMLProgressElement; note: HTMLElement }>();
  /** The last result, for scripts and tests. */
  lastResult: DehazeResult | null = null;

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    this.root.innerHTML = TEMPLATE;
    this.buildStages();
  }

  connectedCallback(): void {
    if (!this.wired) this.wireInput();
    this.wired = true;
    this.state = 'starting';
    this.start().catch(() => {});
  }

  disconnectedCallback(): void {
    this.dehazer?.then(
      (d) => d.dispose(),
      () => {},
    );
    this.dehazer = null;
    if (this.downloadUrl) URL.revokeObjectURL(this.downloadUrl);
  }

  /** Dehazes a file, blob or pixels, showing progress, result and timings. */
  async process(input: Blob | ImageData | RgbaImage, name?: string): Promise<DehazeResult | null> {
    if (this.busy) {
      this.showMessage('Still working on the previous image; please wait for it to finish.');
      return null;
    }
    this.busy = true;
    this.showMessage(null);
    this.resetStages();
    try {
      const before = input instanceof Blob ? await decodeImageFile(input) : input;
      const fileName = name ?? (input instanceof File ? input.name : undefined);
      const dehazer = await this.start();
      this.state = 'loading';
      this.showModel(await dehazer.loadModel((p) => this.onProgress(p)), dehazer);
      this.state = 'running';
      paint(this.q<HTMLCanvasElement>('canvas.before'), before);
      this.q<HTMLCanvasElement>('canvas.after').getContext('2d')?.clearRect(0, 0, before.width, before.height);
      this.q('.compare').classList.add('show');
      const result = await dehazer.dehaze(
        { width: before.width, height: before.height, data: before.data },
        { tileSize: this.tileSize, ensemble: this.ensemble, onProgress: (p) => this.onProgress(p) },
      );
      paint(this.q<HTMLCanvasElement>('canvas.after'), result.image);
      await this.offerDownload(result.image, fileName);
      this.showTimings(result);
      this.lastResult = result;
      this.state = 'done';
      this.dispatchEvent(new CustomEvent('diffli2d-result', { detail: { result } }));
      return result;
    } catch (err) {
      this.fail(messageOf(err));
      return null;
    } finally {
      this.busy = false;
    }
  }

  private start(): Promise<WebDehazer> {
    if (!this.dehazer) {
      const backends = this.getAttribute('backends')
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean) as BackendName[] | undefined;
      this.dehazer = createWebDehazer({
        modelUrl: this.getAttribute('model-url') ?? undefined,
        backends,
        cache: !this.hasAttribute('no-cache'),
      });
      this.dehazer.then(
        (d) => {
          this.q('.badge').textContent = d.backend;
          this.q('.badge').title = [d.backendDetail, ...d.refusedBackends.map((r) => `${r.name} refused: ${r.reason}`)].join('\n');
          this.dataset.backend = d.backend;
          this.q('.backend-detail').textContent = `${d.backendDetail}, in a ${d.runsIn === 'worker' ? 'worker' : 'page script'}`;
          this.q('.model').textContent = `Model: ${d.networkUrl.replace(/[^/]*$/, '')} (loads with the first image)`;
          if (this.state === 'starting') this.state = 'idle';
          this.dispatchEvent(new CustomEvent('diffli2d-ready', { detail: { backend: d.backend } }));
          if (this.hasAttribute('preload'))
            d.loadModel((p) => this.onProgress(p)).then(
              (m) => this.showModel(m, d),
              (e) => this.fail(messageOf(e)),
            );
        },
        (err) => {
          this.q('.badge').textContent = 'none';
          this.dataset.backend = 'none';
          this.dehazer = null;
          this.fail(`Could not start TensorFlow.js: ${messageOf(err)}`);
        },
      );
    }
    return this.dehazer;
  }

  private get tileSize(): number | undefined {
    const v = Number(this.getAttribute('tile-size'));
    return Number.isFinite(v) && v > 0 ? v : undefined;
  }

  /** As given (an unknown value is refused by the pipeline, with its name, as an error). */
  private get ensemble(): SelfEnsemble | undefined {
    return (this.getAttribute('ensemble') as SelfEnsemble | null) ?? undefined;
  }

  private set state(s: string) {
    this.dataset.state = s;
  }
  private get state(): string {
    return this.dataset.state ?? '';
  }

  private wireInput(): void {
    const split = this.q<HTMLInputElement>('.split');
    split.addEventListener('input', () => this.q('.compare').style.setProperty('--split', `${split.value}%`));
    const drop = this.q('.drop');
    const input = this.q<HTMLInputElement>('input[type=file]');
    const take = (files: FileList | null | undefined) => {
      const file = files?.[0];
      if (file) void this.process(file, file.name);
      else this.showMessage('Nothing to open: drop or choose an image file.');
    };
    drop.addEventListener('click', () => input.click());
    drop.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') input.click();
    });
    input.addEventListener('change', () => {
      take(input.files);
      input.value = '';
    });
    drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.classList.add('over');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      take(e.dataTransfer?.files);
    });
    // Paste anywhere on the page while the element is shown.
    document.addEventListener('paste', (e) => {
      if (!this.isConnected) return;
      const item = [...(e.clipboardData?.items ?? [])].find((i) => i.kind === 'file');
      const file = item?.getAsFile();
      if (file) void this.process(file, file.name || 'pasted.png');
    });
  }

  private buildStages(): void {
    const grid = this.q('.stages');
    for (const stage of STAGES) {
      const label = document.createElement('span');
      label.textContent = STAGE_LABELS[stage];
      const bar = document.createElement('progress');
      bar.max = 1;
      bar.value = 0;
      bar.dataset.stage = stage;
      const note = document.createElement('span');
      note.className = 'note';
      grid.append(label, bar, note);
      this.bars.set(stage, { bar, note });
    }
  }

  private resetStages(): void {
    for (const [stage, { bar, note }] of this.bars) {
      if (stage === 'weights' && bar.value === 1) continue; // weights stay loaded
      bar.value = 0;
      note.textContent = '';
    }
  }

  private onProgress(p: Progress): void {
    const slot = this.bars.get(p.stage);
    if (!slot) return;
    const f = fractionOf(p);
    if (f === null) slot.bar.removeAttribute('value');
    else slot.bar.value = f;
    slot.note.textContent = describeProgress(p);
  }

  private showModel(info: ModelInfo, d: WebDehazer): void {
    const el = this.q('.model');
    const untrained = /random|untrained/i.test(info.title);
    el.textContent = `Model: ${info.title}${untrained ? ' — a test model: its output is noise, not dehazing' : ''}`;
    el.classList.toggle('warn', untrained);
    this.q('.details').textContent = [
      `prior: ${info.priorUrl} (${info.priorParams.toLocaleString('en-US')} parameters used, h-space at t₁=${info.t1}, t₂=${info.t2})`,
      `network: ${info.networkUrl} (${info.networkParams.toLocaleString('en-US')} parameters)`,
      `backend: ${d.backend}, running in the ${d.runsIn}`,
      ...Object.entries(info.metadata).map(([k, v]) => `${k}: ${v}`),
    ].join('\n');
  }

  private async offerDownload(image: RgbaImage, name: string | undefined): Promise<void> {
    const link = this.q<HTMLAnchorElement>('a.download');
    if (this.downloadUrl) URL.revokeObjectURL(this.downloadUrl);
    this.downloadUrl = URL.createObjectURL(await encodePng(image));
    link.href = this.downloadUrl;
    link.download = downloadName(name);
    link.classList.add('show');
  }

  private showTimings(r: DehazeResult): void {
    const rows: [string, string][] = [
      // The library extracts both timesteps in one call, so the device mostly finishes both
      // before the t1 result is read: one honest row for the pair.
      ['h-space t₁ + t₂ (prior)', formatMs(r.timings.hspaceT1Ms + r.timings.hspaceT2Ms)],
      [STAGE_LABELS.network, formatMs(r.timings.networkMs)],
      [`Total (${r.image.width}×${r.image.height}, ${r.tiles} tile pass${r.tiles === 1 ? '' : 'es'}, ${r.backend})`, formatMs(r.timings.totalMs)],
    ];
    const table = this.q('.timings');
    table.replaceChildren(
      ...rows.map(([k, v]) => {
        const tr = document.createElement('tr');
        for (const text of [k, v]) {
          const td = document.createElement('td');
          td.textContent = text;
          tr.append(td);
        }
        return tr;
      }),
    );
  }

  private fail(message: string): void {
    this.state = 'error';
    this.showMessage(message);
    this.dispatchEvent(new CustomEvent('diffli2d-error', { detail: { message } }));
  }

  private showMessage(text: string | null): void {
    const el = this.q('.message');
    el.textContent = text ?? '';
    el.classList.toggle('show', text !== null);
  }

  private q<T extends HTMLElement = HTMLElement>(selector: string): T {
    return this.root.querySelector<T>(selector)!;
  }
}

/** Registers <diffli2d-dehaze> once (safe to call again). */
export function defineDehazeElement(tagName = DehazeElement.elementName): void {
  if (!customElements.get(tagName)) customElements.define(tagName, class extends DehazeElement {});
}
