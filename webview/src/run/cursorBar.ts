/**
 * The shared step slider. It moves over the union of the steps at which any run logged an image or text, one
 * notch per logged step, so arrow keys step through what exists. At the right end it follows the latest step as
 * a live run logs more (saved as `null`); anywhere else it stays where the learner put it.
 */
import { h } from '../shared/dom';
import { snapAtOrBefore } from './cursor';

export class CursorBar {
  readonly el: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly out: HTMLOutputElement;
  private steps: readonly number[] = [];

  constructor(private readonly onChange: (step: number | null) => void) {
    this.slider = h('input', { type: 'range', id: 'step-cursor', min: '0', max: '0', step: '1', value: '0' });
    this.out = h('output', { for: 'step-cursor' });
    this.slider.addEventListener('input', () => {
      const i = Number(this.slider.value);
      const latest = i >= this.steps.length - 1;
      this.describe(i, latest);
      this.onChange(latest ? null : this.steps[i]);
    });
    this.el = h(
      'div',
      { class: 'cursor-bar' },
      h('label', { for: 'step-cursor', text: 'Step' }),
      this.slider,
      this.out,
    );
  }

  /** Shows the union of steps with the cursor at `cursor` (already resolved to a member of `steps`). */
  update(steps: readonly number[], cursor: number | undefined, following: boolean): void {
    this.steps = steps;
    this.el.hidden = steps.length === 0;
    if (steps.length === 0 || cursor === undefined) return;
    const i = Math.max(0, snapAtOrBefore(steps, cursor));
    this.slider.max = String(steps.length - 1);
    this.slider.value = String(i);
    this.slider.disabled = steps.length < 2;
    this.describe(i, following);
  }

  private describe(i: number, following: boolean): void {
    const text = `step ${this.steps[i]}${following ? ' (latest)' : ''} · ${i + 1} of ${this.steps.length} logged`;
    this.out.textContent = text;
    this.slider.setAttribute('aria-valuetext', text);
  }
}
