/**
 * The A/B swipe for two compared runs (wandb #4712): run B's frame underneath, run A's frame on top clipped to the
 * left of a vertical divider. The divider follows a pointer drag on the image and is also a labelled slider, so it
 * works from the keyboard.
 */
import type { ImageFrame } from '../../../src/protocol/panels';
import { h } from '../shared/dom';
import { decodeFrame, integerScale } from './imageCanvas';

export class SwipeView {
  readonly el: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly slider: HTMLInputElement;
  private a: ImageBitmap | undefined;
  private b: ImageBitmap | undefined;

  constructor(
    series: string,
    labels: readonly [string, string],
    private split: number,
    private readonly onSplit: (split: number) => void,
    private readonly dividerColor: string,
  ) {
    this.canvas = h('canvas', {
      class: 'swipe-canvas',
      'aria-label': `A/B swipe of ${series}: ${labels[0]} left of the divider, ${labels[1]} right`,
    });
    this.slider = h('input', {
      type: 'range',
      class: 'swipe-slider',
      min: '0',
      max: '100',
      step: '1',
      'aria-label': `A/B divider for ${series}`,
      value: String(Math.round(split * 100)),
    });
    this.slider.addEventListener('input', () => this.setSplit(Number(this.slider.value) / 100));
    this.canvas.addEventListener('pointerdown', (e) => {
      this.canvas.setPointerCapture(e.pointerId);
      this.dragTo(e);
    });
    this.canvas.addEventListener('pointermove', (e) => {
      if (this.canvas.hasPointerCapture(e.pointerId)) this.dragTo(e);
    });
    this.el = h(
      'figure',
      { class: 'swipe' },
      this.canvas,
      this.slider,
      h('figcaption', { text: `A/B: ${labels[0]} ◀ ▶ ${labels[1]}` }),
    );
  }

  /** Shows the two frames (either may be missing: that side stays empty). */
  async show(a: ImageFrame | undefined, b: ImageFrame | undefined): Promise<void> {
    const [ba, bb] = await Promise.all([
      a ? decodeFrame(a).catch(() => undefined) : undefined,
      b ? decodeFrame(b).catch(() => undefined) : undefined,
    ]);
    this.a = ba;
    this.b = bb;
    this.draw();
  }

  setSplit(split: number): void {
    this.split = Math.min(1, Math.max(0, split));
    this.slider.value = String(Math.round(this.split * 100));
    this.onSplit(this.split);
    this.draw();
  }

  private dragTo(e: PointerEvent): void {
    const r = this.canvas.getBoundingClientRect();
    if (r.width > 0) this.setSplit((e.clientX - r.left) / r.width);
  }

  private draw(): void {
    const w = Math.max(this.a?.width ?? 0, this.b?.width ?? 0);
    const hgt = Math.max(this.a?.height ?? 0, this.b?.height ?? 0);
    if (w === 0) return;
    const s = integerScale(w, hgt);
    this.canvas.width = w * s;
    this.canvas.height = hgt * s;
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.imageSmoothingEnabled = false;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    if (this.b) ctx.drawImage(this.b, 0, 0, this.b.width * s, this.b.height * s);
    const x = Math.round(this.canvas.width * this.split);
    if (this.a) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(0, 0, x, this.canvas.height);
      ctx.clip();
      ctx.drawImage(this.a, 0, 0, this.a.width * s, this.a.height * s);
      ctx.restore();
    }
    ctx.fillStyle = this.dividerColor;
    ctx.fillRect(Math.max(0, x - 1), 0, 2, this.canvas.height);
  }
}
