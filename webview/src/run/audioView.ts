/**
 * Sounds (`lab.audio`): per clip, a native <audio controls> player (keyboard-accessible as it is) playing the WAV from
 * a blob: URL (the CSP allows `media-src blob:`), and beside it the clip's spectrogram computed here from the decoded
 * samples, with a line that follows the play position. A WAV that cannot be decoded shows why, and no player.
 */
import type { AudioClip } from '../../../src/protocol/panels';
import { cssVar, h } from '../shared/dom';
import { InsightRows, type InsightCell } from './insightRows';
import type { RunModel } from './model';
import { spectrogram, SPECTROGRAM_LAYOUT, type Spectrogram } from './spectrogram';
import { drawPlayhead, drawSpectrogram } from './spectrogramCanvas';
import { decodeWav, type WavResult } from './wavDecode';

const MEL_BANDS = 80;

// Decoding and the STFT are cached per clip's bytes, so a theme change or the cursor coming back only redraws.
const decoded = new WeakMap<Uint8Array, WavResult>();
const spectra = new WeakMap<Uint8Array, Map<boolean, Spectrogram>>();

function decodeCached(bytes: Uint8Array): WavResult {
  let r = decoded.get(bytes);
  if (!r) decoded.set(bytes, (r = decodeWav(bytes)));
  return r;
}

function spectrogramCached(bytes: Uint8Array, samples: Float32Array, sampleRate: number, mel: boolean): Spectrogram {
  let byScale = spectra.get(bytes);
  if (!byScale) spectra.set(bytes, (byScale = new Map()));
  let s = byScale.get(mel);
  if (!s) {
    const options = { maxFrames: SPECTROGRAM_LAYOUT.plot.width, melBands: mel ? MEL_BANDS : undefined };
    byScale.set(mel, (s = spectrogram(samples, sampleRate, options)));
  }
  return s;
}

/** A row's shared setting: linear or mel frequency rows. */
interface RowScale {
  mel: boolean;
}

class AudioCell implements InsightCell<AudioClip> {
  readonly el: HTMLElement;
  private readonly audio = h('audio', { controls: '', preload: 'metadata', class: 'audio-player' });
  private readonly canvas = h('canvas', { class: 'spectrogram', role: 'img' });
  private readonly reason = h('p', { class: 'audio-error', hidden: '' });
  private url: string | undefined;
  private wav: Uint8Array | undefined;
  private figure: ImageData | undefined;
  private duration = 0;
  private frame = 0;

  constructor(
    private readonly name: string,
    private readonly scale: RowScale,
  ) {
    this.el = h('div', { class: 'audio-cell' }, this.audio, this.canvas, this.reason);
    this.audio.setAttribute('aria-label', `Play ${name}`);
    this.audio.addEventListener('play', () => this.follow());
    for (const type of ['pause', 'ended', 'seeked', 'timeupdate', 'emptied'])
      this.audio.addEventListener(type, () => this.drawPosition());
  }

  show(entry: AudioClip): void {
    const result = decodeCached(entry.wav);
    if (!result.ok) {
      this.release();
      this.audio.hidden = true;
      this.canvas.hidden = true;
      this.reason.hidden = false;
      this.reason.textContent = `The sound "${this.name}" of step ${entry.step} cannot be played: ${result.reason}. The WAV file in the run folder may be damaged; log the clip again to replace it.`;
      return;
    }
    this.reason.hidden = true;
    this.audio.hidden = false;
    this.canvas.hidden = false;
    if (entry.wav !== this.wav) {
      // A new clip gets a new URL (the old one revoked, its bytes freed); the same clip keeps its own (retheme).
      this.release();
      this.wav = entry.wav;
      this.url = URL.createObjectURL(new Blob([new Uint8Array(entry.wav)], { type: 'audio/wav' }));
      this.audio.src = this.url;
    }
    const { samples, sampleRate } = result.wav;
    this.duration = samples.length / sampleRate;
    const spec = spectrogramCached(entry.wav, samples, sampleRate, this.scale.mel);
    const font = `11px ${cssVar('--vscode-font-family', 'sans-serif')}`;
    this.figure = drawSpectrogram(this.canvas, spec, this.duration, { foreground: this.foreground(), font });
    this.canvas.setAttribute(
      'aria-label',
      `Spectrogram of ${this.name}: ${this.duration.toFixed(2)} s at ${sampleRate} Hz, ` +
        `${spec.mel ? 'mel' : 'linear'} frequency scale up to ${sampleRate / 2} Hz`,
    );
    this.drawPosition();
  }

  clear(): void {
    this.release();
  }

  /** Stops following playback and frees the blob URL. */
  release(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.audio.pause();
    this.audio.removeAttribute('src');
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = undefined;
    this.wav = undefined;
    this.figure = undefined;
  }

  /** Moves the play-position line once a frame while playing; the pause event stops it. */
  private follow(): void {
    if (this.frame) return;
    const tick = (): void => {
      this.drawPosition();
      this.frame = this.audio.paused || this.audio.ended ? 0 : requestAnimationFrame(tick);
    };
    this.frame = requestAnimationFrame(tick);
  }

  private drawPosition(): void {
    if (!this.figure) return;
    const t = this.audio.currentTime;
    const at = this.audio.paused && t === 0 ? undefined : t;
    drawPlayhead(this.canvas, this.figure, at, this.duration, this.foreground());
  }

  private foreground(): string {
    return cssVar('--vscode-foreground', '#cccccc');
  }
}

export class AudioView extends InsightRows<'audio'> {
  private cells: AudioCell[] = [];
  private readonly scales = new Map<string, RowScale>();

  constructor(model: RunModel) {
    super(model, 'audio', 'Sounds');
  }

  override render(cursor: number | undefined): void {
    super.render(cursor);
    // Cells of a layout that was rebuilt are gone from the page: free their URLs.
    for (const c of this.cells) if (!c.el.isConnected) c.release();
    this.cells = this.cells.filter((c) => c.el.isConnected);
  }

  protected createCell(name: string): InsightCell<AudioClip> {
    let scale = this.scales.get(name);
    if (!scale) this.scales.set(name, (scale = { mel: false }));
    const cell = new AudioCell(name, scale);
    this.cells.push(cell);
    return cell;
  }

  protected override rowControls(name: string): HTMLElement {
    const scale = this.scales.get(name) ?? { mel: false };
    const box = h('input', { type: 'checkbox', class: 'mel-toggle' });
    box.checked = scale.mel;
    box.addEventListener('change', () => {
      scale.mel = box.checked;
      this.retheme(); // redraws every cell at the cursor
    });
    return h('div', { class: 'insight-controls' }, h('label', {}, box, ' Mel frequency scale'));
  }

  protected override describe(entry: AudioClip): string {
    return `${(entry.samples / entry.sampleRate).toFixed(2)} s · ${entry.sampleRate} Hz`;
  }
}
